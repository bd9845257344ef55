import { mkdir } from "node:fs/promises";
import path from "node:path";
import { emailConfig } from "@cartwheel/api/config";
import {
  applySesNotification,
  createTemplate,
  db,
  deliverMessage,
  type EmailLinks,
  makeEmailLinks,
  queueEmail,
  updateEmailSettings,
  upsertContact,
} from "@cartwheel/api/domain";
import { type LocalSes, startLocalSes } from "@cartwheel/api/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { bucketLabel, formatCount, formatMoney, lastDays } from "../src/analytics.ts";
import { cohortPeriod, cohortsQuery } from "../src/screens/dashboard.ts";
import { messagesPageSize, messagesQuery } from "../src/screens/messages.ts";
import { seedAnalyticsShop, shopTimeZone } from "./analytics-shop.ts";
import { attributeValues, launchChromium, signIn, startApi } from "./support.ts";

let api: Awaited<ReturnType<typeof startApi>>;
let ui: RunningAdminUi;
let browser: Browser;
let ses: LocalSes;
let seeded: Awaited<ReturnType<typeof seedAnalyticsShop>>;

beforeAll(async () => {
  [api, ui, browser, ses] = await Promise.all([
    startApi(),
    startAdminUi(),
    launchChromium(),
    startLocalSes(),
  ]);
  seeded = await seedAnalyticsShop(api, ses);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await api?.close();
  await ses?.close();
});

const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");
const locale = "en-US";
const browserContext = {
  locale,
  timezoneId: shopTimeZone,
  viewport: { width: 1360, height: 900 },
};

interface Cohort {
  start: string;
  customers: number;
  revenuePerCustomer30d: { amount: string } | null;
  revenuePerCustomer90d: { amount: string } | null;
  revenuePerCustomer180d: { amount: string } | null;
  revenuePerCustomer365d: { amount: string } | null;
}

interface Node {
  id: string;
  toEmail: string;
  subject: string | null;
  status: string;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  bouncedAt: string | null;
  unsubscribedAt: string | null;
  template: { name: string } | null;
}

it("lists the messages newest first with their marks, pages on with Load more, and filters by status", async () => {
  const { messages } = await seeded.call(messagesQuery, { first: 100 });
  const all: Node[] = messages.edges.map((e: { node: Node }) => e.node);
  // More than one page (24 contacts, a 20 % holdout: how many are held out is random).
  expect(all.length).toBeGreaterThan(messagesPageSize);
  const clicked = all.filter((m) => m.clickedAt).length;
  expect(clicked).toBe(8);
  expect(all.every((m) => m.sentAt)).toBe(true);

  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  await page.getByTestId("nav-messages").click();
  const rows = page.getByTestId("message-row");
  await expect.poll(() => rows.count()).toBe(messagesPageSize);
  expect(await attributeValues(page, "message-row", "data-message")).toEqual(
    all.slice(0, messagesPageSize).map((m) => m.id),
  );
  expect(await page.getByTestId("messages-total").textContent()).toBe(
    `${messagesPageSize} of ${all.length} messages, newest first`,
  );
  const first = all[0] as Node;
  expect((await rows.first().locator("td").allTextContents()).slice(0, 4)).toEqual([
    first.toEmail,
    first.template?.name ?? "—",
    first.subject ?? "Not rendered yet",
    first.status[0] + first.status.slice(1).toLowerCase(),
  ]);
  expect(await rows.first().getByTestId("message-sent-at").textContent()).not.toBe("—");

  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-messages-first-page.png"),
    fullPage: true,
  });
  for (let pages = 2; pages <= Math.ceil(all.length / messagesPageSize); pages++) {
    await page.getByTestId("messages-load-more").click();
    await expect.poll(() => rows.count()).toBe(Math.min(all.length, pages * messagesPageSize));
  }
  expect(await attributeValues(page, "message-row", "data-message")).toEqual(all.map((m) => m.id));
  expect(await page.getByTestId("messages-load-more").count()).toBe(0);
  // Each row's marks are the engagement times the API gives, in a fixed order.
  const marks = await rows.evaluateAll((elements) =>
    elements.map((row) =>
      Array.from(row.querySelectorAll("[data-mark]"), (mark) => mark.getAttribute("data-mark")),
    ),
  );
  expect(marks).toEqual(
    all.map((m) =>
      (
        [
          [m.deliveredAt, "delivered"],
          [m.openedAt, "opened"],
          [m.clickedAt, "clicked"],
          [m.bouncedAt, "bounced"],
          [m.unsubscribedAt, "unsubscribed"],
        ] as const
      )
        .filter(([at]) => at)
        .map(([, mark]) => mark),
    ),
  );
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-messages.png"), fullPage: true });

  // The status filter is the connection's own `filter.status`.
  await page.getByTestId("messages-status-filter").selectOption("FAILED");
  await expect
    .poll(() => page.getByTestId("messages-total").textContent())
    .toBe("No messages with this status.");
  expect(await rows.count()).toBe(0);
  await page.getByTestId("messages-status-filter").selectOption("SENT");
  const sent = all.filter((m) => m.status === "SENT").length;
  await expect.poll(() => rows.count()).toBe(Math.min(sent, messagesPageSize));
  expect(await page.getByTestId("messages-total").textContent()).toBe(
    `${Math.min(sent, messagesPageSize)} of ${sent} messages, newest first`,
  );
  expect(errors).toEqual([]);
});

it("shows monthly customer cohorts and the control group's verdict on the dashboard", async () => {
  const period = lastDays(30, shopTimeZone);
  const { customerCohorts, controlGroupReport } = await seeded.call(cohortsQuery, {
    period,
    cohorts: cohortPeriod(period),
  });
  const cohorts: Cohort[] = customerCohorts.data.cohorts;
  // The regulars of 300 days ago: four customers, two of whom came back within 90 days.
  const oldest = cohorts[0] as Cohort;
  expect(oldest.customers).toBe(4);
  expect(Number(oldest.revenuePerCustomer90d?.amount)).toBe((4 * 60 + 2 * 45) / 4);
  expect(oldest.revenuePerCustomer180d).not.toBeNull();
  expect(oldest.revenuePerCustomer365d).toBeNull();
  expect(cohorts.at(-1)?.revenuePerCustomer30d).toBeNull();

  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  const rows = page.getByTestId("cohort-row");
  await expect.poll(() => rows.count()).toBe(cohorts.length);
  const money = (m: { amount: string } | null) => formatMoney(m, "EUR", locale);
  const shown = await rows.evaluateAll((elements) =>
    elements.map((row) => Array.from(row.querySelectorAll("td"), (td) => td.textContent)),
  );
  expect(shown).toEqual(
    cohorts.map((c) => [
      bucketLabel(c.start, "MONTH", locale),
      formatCount(c.customers, locale),
      money(c.revenuePerCustomer30d),
      money(c.revenuePerCustomer90d),
      money(c.revenuePerCustomer180d),
      money(c.revenuePerCustomer365d),
    ]),
  );
  const report = controlGroupReport.data;
  expect(await page.getByTestId("control-group-verdict").getAttribute("data-verdict")).toBe(
    report.verdict,
  );
  expect(await page.getByTestId("control-group-warning").count()).toBe(report.warning ? 1 : 0);
  if (report.warning) {
    expect(await page.getByTestId("control-group-warning").textContent()).toBe(report.warning);
  }
  await mkdir(screenshots, { recursive: true });
  await page.getByTestId("cohorts").scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(screenshots, "admin-dashboard-cohorts.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

it("shows FORBIDDEN on the messages screen for a key without messages:read", async () => {
  const analyticsOnly = await seeded.shop.makeKey("SECRET", ["ANALYTICS_READ"]);
  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    analyticsOnly.key,
    browserContext,
  );
  // The dashboard, cohorts and control group included, needs analytics:read only.
  await page.getByTestId("cohorts-table").waitFor();
  await page.getByTestId("nav-messages").click();
  await expect.poll(() => page.getByTestId("screen-error").textContent()).toMatch(/^FORBIDDEN: /);
  expect(await page.getByTestId("message-row").count()).toBe(0);
  expect(errors).toEqual([]);
});

it("shows a new message at the top and each change of a listed one live, without a reload", async () => {
  const shop = await api.newShop();
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  await updateEmailSettings(workspaceId, {
    fromEmail: "hello@lumiere.example",
    postalAddress: "12 rue des Lilas, 75011 Paris",
    shopName: "Maison Lumière",
    sendRatePerSecond: 1000,
  });
  const template = await createTemplate(workspaceId, {
    name: "Back in stock",
    kind: "MARKETING",
    subject: "It is back, {{ contact.first_name }}",
    html: `<p>Hello</p><p><a href="https://lumiere.example/lamp">See the lamp</a></p>`,
  });
  // The tracked links of each mail, pointing at this API's routes.
  const tracked = new Map<string, { pixel?: string; click?: string }>();
  const base = makeEmailLinks({ publicUrl: api.url, secret: emailConfig().signingSecret });
  const links: EmailLinks = {
    ...base,
    openPixel: (id) => {
      const url = base.openPixel(id);
      tracked.set(id, { ...tracked.get(id), pixel: url });
      return url;
    },
    click: (id, destination) => {
      const url = base.click(id, destination);
      if (destination.startsWith("https://lumiere.example/"))
        tracked.set(id, { ...tracked.get(id), click: url });
      return url;
    },
  };
  let sent = 0;
  const queue = async (email: string) => {
    const { contact } = await upsertContact(workspaceId, {
      email,
      firstName: "Ada",
      consent: { status: "SUBSCRIBED", source: "test" },
    });
    sent += 1;
    const { message } = await queueEmail(workspaceId, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: `live-${sent}`,
    });
    return message;
  };
  const older = await queue("older@example.com");
  await deliverMessage(older.id, { sender: ses.sender, links });

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey, browserContext);
  const streams: string[] = [];
  page.on("requestfailed", (request) => {
    if (request.headers().accept === "text/event-stream") streams.push("closed");
  });
  await page.getByTestId("nav-messages").click();
  const rows = page.getByTestId("message-row");
  await expect.poll(() => rows.count()).toBe(1);
  await expect.poll(() => page.getByTestId("live-state").getAttribute("data-state")).toBe("live");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  // Queued by the shop's backend: at the top, counted.
  const fresh = await queue("newest@example.com");
  const freshGlobalId = Buffer.from(`Message:${fresh.id}`).toString("base64");
  await expect
    .poll(() => attributeValues(page, "message-row", "data-message"))
    .toEqual([freshGlobalId, Buffer.from(`Message:${older.id}`).toString("base64")]);
  const row = page.locator(`[data-testid=message-row][data-message="${freshGlobalId}"]`);
  expect(await row.getByTestId("message-status").textContent()).toBe("Queued");
  expect(await page.getByTestId("messages-total").textContent()).toBe(
    "2 of 2 messages, newest first",
  );

  // Sent, delivered (SES's notification), opened and clicked (the tracked links, over HTTP).
  await deliverMessage(fresh.id, { sender: ses.sender, links });
  await expect.poll(() => row.getByTestId("message-status").textContent()).toBe("Sent");
  expect(await row.getByTestId("message-sent-at").textContent()).not.toBe("—");
  const { sesMessageId } = await db().message.findFirstOrThrow({
    where: { id: fresh.id },
    select: { sesMessageId: true },
  });
  await applySesNotification(
    { notificationType: "Delivery", mail: { messageId: sesMessageId } },
    `delivery-${fresh.id}`,
  );
  const marks = () =>
    row.locator("[data-mark]").evaluateAll((list) => list.map((m) => m.getAttribute("data-mark")));
  await expect.poll(marks).toEqual(["delivered"]);
  const desktop = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36" };
  await fetch(tracked.get(fresh.id)?.pixel as string, { headers: desktop });
  await expect.poll(marks).toEqual(["delivered", "opened"]);
  await fetch(tracked.get(fresh.id)?.click as string, { headers: desktop, redirect: "manual" });
  await expect.poll(marks).toEqual(["delivered", "opened", "clicked"]);
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
  ).toBe(true);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-messages-live.png") });

  const closedBefore = streams.length;
  await page.getByTestId("nav-contacts").click();
  await expect.poll(() => streams.length).toBe(closedBefore + 1);
  expect(errors).toEqual([]);
});
