import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeApp } from "@cartwheel/api";
import {
  createApiKey,
  createWorkspace,
  db,
  disconnectDatabase,
  pool,
  updateWorkspace,
} from "@cartwheel/api/domain";
import { chromiumLaunchOptions } from "@cartwheel/api/testing/chromium";
import { startWorker } from "@cartwheel/worker";
import { serve } from "@hono/node-server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningStorefront, startStorefront } from "../server";

/**
 * The whole tracking path, end to end: the storefront's pages in Debian's Chromium, the SDK
 * bundle, the real API on a loopback port, Postgres, and the worker.
 */
let api: ReturnType<typeof serve>;
let shop: RunningStorefront;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let workspaceId: string;
/** Every messageId the browser put on the wire, in the order first sent (retries included). */
const sent: string[] = [];
/** Deliveries that never reached the API (while the browser was offline). */
let failedDeliveries = 0;

beforeAll(async () => {
  const app = makeApp({ adminKey: `cw_admin_${"e2e".repeat(10)}` });
  const apiUrl = await new Promise<string>((resolve) => {
    api = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  const workspace = await createWorkspace({ name: "Cartwheel Outfitters" });
  workspaceId = workspace.id;
  const { plaintext } = await createApiKey({ workspaceId, name: "storefront", kind: "PUBLIC" });
  shop = await startStorefront({
    apiUrl,
    writeKey: plaintext,
    sdkOptions: {
      botUserAgentPattern: null,
      flushIntervalMs: 100,
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 1000,
      exitIntent: { quietPeriodMs: 0 },
    },
  });
  await updateWorkspace(workspaceId, { allowedOrigins: [shop.url] });

  const userDataDir = await mkdtemp(path.join(tmpdir(), "cartwheel-e2e-"));
  context = await chromium.launchPersistentContext(userDataDir, chromiumLaunchOptions());
  closeBrowser = async () => {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  };
  context.on("requestfailed", (request) => {
    if (request.url().endsWith("/v1/batch")) failedDeliveries += 1;
  });
  context.on("request", (request) => {
    if (!request.url().endsWith("/v1/batch") || request.method() !== "POST") return;
    const body = JSON.parse(request.postData() ?? "{}") as { batch?: { messageId: string }[] };
    for (const event of body.batch ?? []) {
      if (!sent.includes(event.messageId)) sent.push(event.messageId);
    }
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await shop?.close();
  await new Promise((resolve) => api?.close(resolve));
  await disconnectDatabase();
});

const storedEvents = () =>
  db().event.findMany({ where: { workspaceId }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] });

/** Waits until every event the browser has sent so far is stored. */
async function allSentStored() {
  await expect
    .poll(
      async () => {
        const stored = new Set((await storedEvents()).map((event) => event.messageId));
        return sent.length > 0 && sent.every((id) => stored.has(id));
      },
      { timeout: 15_000 },
    )
    .toBe(true);
}

async function leaveThroughTheTop(page: Page) {
  await page.mouse.move(400, 300);
  await page.mouse.move(400, -20, { steps: 5 });
  await page.getByTestId("exit-offer").waitFor({ state: "visible" });
}

it("tracks a shopper from first page to order, offline spell included, once each and in order", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));

  // Browse anonymously and fill the cart.
  await page.goto(shop.url);
  await page.getByTestId("product-link-linen-shirt").click();
  await page.getByTestId("add-to-cart").click();
  await page.getByTestId("home-link").click();
  await page.getByTestId("add-to-cart-canvas-tote").click();
  await page.getByTestId("cart-link").click();
  await leaveThroughTheTop(page);

  // Checkout: the shop identifies the shopper as soon as it knows who they are.
  await page.getByTestId("checkout-link").click();
  await page.getByTestId("checkout-email").fill("ann@example.com");
  await page.evaluate(() =>
    (
      window as unknown as { cartwheel: { identify(id: string, traits: object): void } }
    ).cartwheel.identify("ann@example.com", { firstName: "Ann" }),
  );
  await allSentStored();
  const beforeOffline = (await storedEvents()).length;

  // Offline: back on the cart, the shopper changes their mind; nothing can reach the API.
  await page.goto(`${shop.url}/cart`);
  await allSentStored();
  await context.setOffline(true);
  await page.getByTestId("remove-from-cart-canvas-tote").click();
  // The SDK keeps the event queued: it either tries on its schedule and fails, or (seeing
  // navigator.onLine false, which Chromium sets a moment after going offline) waits for the
  // `online` event. Which comes first is a race, so accept either, but the event must wait.
  await expect
    .poll(
      async () =>
        failedDeliveries > 0 ||
        (await page.evaluate(
          () =>
            !navigator.onLine &&
            (
              window as unknown as { cartwheel: { queueStats(): { pending: number } } }
            ).cartwheel.queueStats().pending > 0,
        )),
      { timeout: 15_000 },
    )
    .toBe(true);
  expect((await storedEvents()).map((event) => event.name)).not.toContain("Product Removed");

  // Online again: the queue drains; then a reload and the order.
  await context.setOffline(false);
  await expect
    .poll(async () => (await storedEvents()).map((event) => event.name), { timeout: 15_000 })
    .toContain("Product Removed");
  await page.reload();
  await page.getByTestId("checkout-link").click();
  await page.getByTestId("checkout-email").fill("ann@example.com");
  await page.getByTestId("checkout-submit").click();
  await expect.poll(() => page.getByTestId("order-id").textContent()).toMatch(/^ORD-/);
  // The journey ends with the confirmation page's own page view.
  await expect
    .poll(async () => JSON.stringify((await storedEvents()).at(-1)?.context), { timeout: 15_000 })
    .toContain("/order-complete");
  await allSentStored();

  const events = await storedEvents();
  // Exactly once (the unique index would refuse a second copy; none is missing) and in the
  // order the browser recorded them.
  expect(events.map((event) => event.messageId)).toEqual(sent);
  expect(events.length).toBeGreaterThan(beforeOffline);
  const journey = events
    .map((event) => event.name)
    .filter((name) => name !== "Page Viewed" && name !== "Cart Viewed");
  expect(journey).toEqual([
    "Product Viewed",
    "Product Added",
    "Product Added",
    "Exit Intent",
    "Checkout Started",
    "Identify",
    "Product Removed",
    "Checkout Started",
    "Identify",
    "Order Completed",
  ]);
  expect(events.find((event) => event.name === "Order Completed")?.properties).toMatchObject({
    total: 49,
    currency: "EUR",
  });

  // One shopper: every event, anonymous ones before the identify included, is Ann's.
  const ann = await db().contact.findFirstOrThrow({
    where: { workspaceId, email: "ann@example.com" },
  });
  expect(ann.firstName).toBe("Ann");
  expect(new Set(events.map((event) => event.contactId))).toEqual(new Set([ann.id]));
  expect(new Set(events.map((event) => event.anonymousId)).size).toBe(1);
  expect(await db().contact.count({ where: { workspaceId } })).toBe(1);

  // The worker processes every event: no job left, and Ann's last-seen is her last event.
  const runner = await startWorker({ databaseUrl: process.env.DATABASE_URL!, pollInterval: 200 });
  try {
    await expect
      .poll(
        async () => {
          const { rows } = await pool().query<{ waiting: number }>(
            "SELECT count(*)::int AS waiting FROM graphile_worker.jobs WHERE task_identifier IN ('process_event', 'process_events')",
          );
          return rows[0]?.waiting;
        },
        { timeout: 20_000 },
      )
      .toBe(0);
  } finally {
    await runner.stop();
  }
  const seen = await db().contact.findFirstOrThrow({ where: { id: ann.id } });
  expect(seen.lastSeenAt?.toISOString()).toBe(events.at(-1)?.occurredAt.toISOString());
  expect(errors).toEqual([]);
});
