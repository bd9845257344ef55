import { mkdir } from "node:fs/promises";
import path from "node:path";
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
