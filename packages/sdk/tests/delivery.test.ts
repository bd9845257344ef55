import { describe, expect, it } from "vitest";
import type { WireEvent } from "../src/wire";
import { sleep, useBrowser, waitFor } from "./support/browser";

const shop = useBrowser();
const QUIET = { trackPages: false, exitIntent: false } as const;

const trackMany = (count: number, name = "Tick") =>
  `for (let i = 0; i < ${count}; i++) cartwheel.track(${JSON.stringify(name)}, { i });`;

function expectNoDuplicates(events: WireEvent[]): void {
  const ids = events.map((event) => event.messageId);
  expect(new Set(ids).size).toBe(ids.length);
}

describe("batching", () => {
  it("sends as soon as flushAt events wait, in batches of at most 100", async () => {
    const page = await shop.open({ init: { ...QUIET, flushAt: 5, flushIntervalMs: 60_000 } });
    await page.evaluate(() => {
      for (let i = 0; i < 4; i++) cartwheel.track("Tick", { i });
    });
    await sleep(400);
    expect(shop.server.requests).toHaveLength(0);
    await page.evaluate(() => cartwheel.track("Tick", { i: 4 }));
    await shop.waitForEvents("Tick", 5);
    expect(shop.server.requests[0]?.body?.batch).toHaveLength(5);

    await page.evaluate(() => {
      for (let i = 0; i < 230; i++) cartwheel.track("Bulk", { i });
    });
    const bulk = await shop.waitForEvents("Bulk", 230);
    expect(bulk.map((event) => event.properties.i)).toEqual([...Array(230).keys()]);
    const sizes = shop.server.requests.map((request) => request.body?.batch.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
  });

  it("sends fewer events after flushIntervalMs", async () => {
    const page = await shop.open({ init: { ...QUIET, flushAt: 20, flushIntervalMs: 700 } });
    const start = Date.now();
    await page.evaluate(() => {
      cartwheel.track("A");
      cartwheel.track("B");
    });
    await shop.waitForEvents("B");
    expect(Date.now() - start).toBeGreaterThanOrEqual(600);
    expect(shop.server.requests).toHaveLength(1);
    expect(shop.server.requests[0]?.body?.batch.map((event) => event.event)).toEqual(["A", "B"]);
  });
});

describe("retries", () => {
  it("retries after 500s with growing delays and keeps every event once", async () => {
    shop.server.replies = [{ status: 500 }, { status: 503 }, { status: 502 }];
    const page = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 200 } });
    await page.evaluate(() => {
      cartwheel.track("Retried", { n: 1 });
      cartwheel.track("Retried", { n: 2 });
    });
    const events = await shop.waitForEvents("Retried", 2);
    expectNoDuplicates(events);
    const times = shop.server.requests.map((request) => request.at);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
    const ids = shop.server.requests.map((r) => r.body?.batch.map((e) => e.messageId).join());
    expect(new Set(ids).size).toBe(1);
  });

  it("waits Retry-After seconds after a 429", async () => {
    shop.server.replies = [{ status: 429, headers: { "Retry-After": "1" } }];
    const page = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 50 } });
    await page.evaluate(() => cartwheel.track("Limited"));
    await shop.waitForEvents("Limited");
    const [first, second] = shop.server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("keeps the batch through a 503 (the database restarting) and waits its Retry-After", async () => {
    shop.server.replies = [{ status: 503, headers: { "Retry-After": "1" } }];
    const page = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 50 } });
    await page.evaluate(() => cartwheel.track("Restarting"));
    await shop.waitForEvents("Restarting");
    const [first, second] = shop.server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(second?.body?.batch.map((e) => e.messageId)).toEqual(
      first?.body?.batch.map((e) => e.messageId),
    );
    expect(shop.eventsNamed("Restarting")).toHaveLength(1);
  });

  it("drops a batch answered 400 and retries one answered with an unexpected status", async () => {
    shop.server.replies = [{ status: 400 }, { status: 404 }];
    const page = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 100 } });
    await page.evaluate(() => cartwheel.track("Malformed"));
    await waitFor(() => shop.server.requests.length === 1, 3000, "the 400");
    await sleep(300);
    expect(await page.evaluate(() => cartwheel.queueStats().pending)).toBe(0);

    await page.evaluate(() => cartwheel.track("Not Found"));
    await shop.waitForEvents("Not Found");
    expect(shop.server.requests.map((request) => request.status)).toEqual([400, 404, 200]);
    expect(shop.eventsNamed("Malformed")).toHaveLength(0);
  });

  it("halves the batch after a 413, drops per-event rejections, keeps events after a 401", async () => {
    shop.server.replies = [{ status: 413 }];
    const page = await shop.open({ init: { ...QUIET, flushAt: 10 } });
    await page.evaluate(() => {
      for (let i = 0; i < 10; i++) cartwheel.track("Big", { i });
    });
    await shop.waitForEvents("Big", 10);
    expect(shop.server.requests.map((r) => r.body?.batch.length)).toEqual([10, 5, 5]);

    shop.server.replies = [
      {
        status: 200,
        body: {
          accepted: 1,
          duplicates: 0,
          rejected: [{ index: 1, messageId: "x", code: "invalid", message: "bad" }],
        },
      },
      { status: 401 },
    ];
    await page.evaluate(() => {
      cartwheel.track("Partly");
      cartwheel.track("Rejected");
    });
    await waitFor(() => shop.server.requests.length === 4, 3000, "the batch with a rejection");
    await sleep(300);
    expect(await page.evaluate(() => cartwheel.queueStats().pending)).toBe(0);

    await page.evaluate(() => cartwheel.track("Unauthorized"));
    await waitFor(() => shop.server.requests.length === 5, 3000, "the 401");
    await page.evaluate(() => cartwheel.track("Kept"));
    await sleep(600);
    expect(shop.server.requests).toHaveLength(5);
    expect(await page.evaluate(() => cartwheel.queueStats().pending)).toBe(2);

    await page.reload();
    await shop.waitForEvents("Kept");
    expect(shop.eventsNamed("Unauthorized")).toHaveLength(1);
  });
});

describe("surviving the network and the page", () => {
  it("holds events while offline and sends each once when back online", async () => {
    const page = await shop.open({ init: { ...QUIET } });
    await page.context().setOffline(true);
    await page.evaluate(() => {
      for (let i = 0; i < 30; i++) cartwheel.track("Offline", { i });
    });
    await sleep(800);
    await page.context().setOffline(false);
    const events = await shop.waitForEvents("Offline", 30);
    await sleep(300);
    expect(shop.eventsNamed("Offline")).toHaveLength(30);
    expectNoDuplicates(events);
  });

  it("re-sends events stored before a reload while the API was down", async () => {
    shop.server.down = true;
    const page = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 5000 } });
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) cartwheel.track("Stored", { i });
    });
    await waitFor(() => shop.server.requests.length > 0, 3000, "a failed attempt");
    const stored = await page.evaluate(() =>
      Object.keys(localStorage).filter((key) => key.startsWith("cartwheel.queue.")),
    );
    expect(stored).toHaveLength(1);

    await page.reload();
    shop.server.down = false;
    const events = await shop.waitForEvents("Stored", 5);
    expect(events.map((event) => event.properties.i).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("flushes with keepalive when the page is hidden", async () => {
    const page = await shop.open({ init: { ...QUIET, flushIntervalMs: 60_000 } });
    await page.evaluate(() => {
      cartwheel.track("Before Hide");
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await shop.waitForEvents("Before Hide");
  });

  it("flushes when the page is closed", async () => {
    const page = await shop.open({ init: { ...QUIET, flushIntervalMs: 60_000 } });
    await page.evaluate(() => cartwheel.track("Before Close"));
    await page.close({ runBeforeUnload: true });
    await shop.waitForEvents("Before Close");
  });

  it("loses nothing when two tabs queue events and one closes while the API is down", async () => {
    shop.server.down = true;
    const first = await shop.open({ init: { ...QUIET, retryBaseDelayMs: 60_000 } });
    const second = await first.context().newPage();
    await second.goto(shop.server.shopUrl);
    await first.evaluate(trackMany(5, "First Tab"));
    await second.evaluate(trackMany(5, "Second Tab"));
    await sleep(300);
    await first.close({ runBeforeUnload: true });
    shop.server.down = false;
    await second.evaluate(() => window.dispatchEvent(new Event("online")));
    await shop.waitForEvents("Second Tab", 5);
    await shop.waitForEvents("First Tab", 5);
  });
});
