import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type LocalSes, startLocalSes } from "@cartwheel/api/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { formatCount, formatMoney, formatRate, lastDays, todayIn } from "../src/analytics.ts";
import { dashboardQuery } from "../src/screens/dashboard.ts";
import { seedAnalyticsShop, shopTimeZone } from "./analytics-shop.ts";
import { launchChromium, signIn, startApi } from "./support.ts";

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

/**
 * The browser sits in a time zone whose date differs from Paris right now (Pago Pago is 12 h
 * behind, Kiritimati 13 h ahead: at any hour one of them is on another day), so "last 30 days"
 * has to move to the shop's days once the API names its time zone.
 */
const browserTimeZone = ["Pacific/Pago_Pago", "Pacific/Kiritimati"].find(
  (zone) => todayIn(zone) !== todayIn(shopTimeZone),
) as string;
const browserContext = {
  locale,
  timezoneId: browserTimeZone,
  viewport: { width: 1360, height: 900 },
};

it("lands on the dashboard and shows the API's figures for the shop's last 30 days", async () => {
  const period = lastDays(30, shopTimeZone);
  expect(browserTimeZone).toBeDefined();
  const { shopKpis, revenueAttribution } = await seeded.call(dashboardQuery, { period });
  const total = shopKpis.data.total;
  expect(total.orders).toBe(45);
  expect(Number(total.emailRevenue.amount)).toBeGreaterThan(0);

  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  await expect.poll(() => page.getByTestId("period-from").inputValue()).toBe(period.from);
  expect(await page.getByTestId("period-to").inputValue()).toBe(period.to);
  const card = (kpi: string) => page.locator(`[data-testid=kpi][data-kpi="${kpi}"]`);
  await card("revenue").waitFor();

  const money = (m: { amount: string } | null) => formatMoney(m, "EUR", locale);
  const expected: Record<string, [raw: string, shown: string]> = {
    revenue: [total.revenue.amount, money(total.revenue)],
    orders: [String(total.orders), formatCount(total.orders, locale)],
    averageOrderValue: [total.averageOrderValue.amount, money(total.averageOrderValue)],
    conversionRate: [String(total.conversionRate), formatRate(total.conversionRate, locale)],
    cartAbandonmentRate: [
      String(total.cartAbandonmentRate),
      formatRate(total.cartAbandonmentRate, locale),
    ],
    emailRevenue: [total.emailRevenue.amount, money(total.emailRevenue)],
    revenuePerRecipient: [total.revenuePerRecipient.amount, money(total.revenuePerRecipient)],
    openRate: [String(total.openRate), formatRate(total.openRate, locale)],
    clickRate: [String(total.clickRate), formatRate(total.clickRate, locale)],
    customerAcquisitionCost: [
      total.customerAcquisitionCost.amount,
      money(total.customerAcquisitionCost),
    ],
  };
  for (const [kpi, [raw, shown]] of Object.entries(expected)) {
    expect({ kpi, raw: await card(kpi).getAttribute("data-value") }).toEqual({ kpi, raw });
    expect(await card(kpi).getByTestId("kpi-value").textContent()).toBe(shown);
  }
  expect(await card("emailRevenue").getByTestId("kpi-detail").textContent()).toBe(
    `${formatRate(total.emailRevenueShare, locale)} of revenue`,
  );
  // The tooltips are the API's own definitions.
  const { __type } = await seeded.call(
    `{ __type(name: "KpiFigures") { fields { name description } } }`,
  );
  const definition = (name: string) =>
    __type.fields.find((f: { name: string }) => f.name === name).description;
  expect(await card("revenue").getByTestId("kpi-definition").getAttribute("aria-label")).toBe(
    definition("revenue"),
  );
  expect(await card("emailRevenue").getByTestId("kpi-definition").getAttribute("aria-label")).toBe(
    `${definition("emailRevenue")}\n${definition("emailRevenueShare")}`,
  );

  expect(await page.getByTestId("revenue-chart").getAttribute("data-buckets")).toBe("30");
  const rows = page.getByTestId("scenario-revenue-row");
  const byScenario = revenueAttribution.data.byScenario;
  expect(byScenario.map((s: { name: string }) => s.name)).toEqual(["New arrivals"]);
  expect(await rows.locator("td").allTextContents()).toEqual([
    "New arrivals",
    money(byScenario[0].revenue),
    formatCount(byScenario[0].orders, locale),
    formatCount(byScenario[0].recipients, locale),
    money(byScenario[0].revenuePerRecipient),
  ]);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-dashboard.png"), fullPage: true });
  await card("emailRevenue").getByTestId("kpi-definition").hover();
  await page.screenshot({
    path: path.join(screenshots, "admin-dashboard-definition.png"),
    clip: { x: 0, y: 120, width: 1360, height: 420 },
  });

  await page.mouse.move(0, 0);
  // Weekly buckets: the chart is redrawn from the API's buckets.
  await page.getByTestId("period-bucket").selectOption("WEEK");
  const weekly = await seeded.call(dashboardQuery, { period: { ...period, bucket: "WEEK" } });
  await expect
    .poll(() => page.getByTestId("revenue-chart").getAttribute("data-buckets"))
    .toBe(String(weekly.revenueAttribution.data.buckets.length));
  await page.screenshot({
    path: path.join(screenshots, "admin-dashboard-weekly.png"),
    fullPage: true,
  });

  // A period the API refuses (from after to) is said next to the picker.
  await page.getByTestId("period-from").fill(period.to);
  await page.getByTestId("period-to").fill(period.from);
  await page.getByTestId("period-to").dispatchEvent("change");
  await expect.poll(() => page.getByTestId("period-error").count()).toBe(1);
  // Everything, the chart library included, came from the UI's own server: it works offline.
  const resources = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((entry) => entry.name),
  );
  expect(resources.filter((url) => !url.startsWith(ui.url) && !url.startsWith(api.url))).toEqual(
    [],
  );
  expect(errors).toEqual([]);
});

it("previews an attribution model before → after, refuses a bad value next to its field, and saves", async () => {
  const period = lastDays(30, shopTimeZone);
  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  await page.getByTestId("nav-attribution").click();
  const row = (metric: string) =>
    page.locator(`[data-testid=compare-row][data-metric="${metric}"]`);
  await row("attributedRevenue").waitFor();
  const attributed = async (model?: Record<string, unknown>) => {
    const { revenueAttribution } = await seeded.call(
      `query($period: ReportingPeriodInput!, $model: AttributionModelInput) {
        revenueAttribution(period: $period, model: $model) {
          __typename ... on QueryRevenueAttributionSuccess { data { attributedRevenue { amount } } } } }`,
      { period: { ...period, bucket: "DAY" }, model },
    );
    return formatMoney(revenueAttribution.data.attributedRevenue, "EUR", locale);
  };
  const net = await attributed();
  const gross = await attributed({ revenueBasis: "GROSS" });
  expect(gross).not.toBe(net); // two attributed orders have refunds
  expect(await row("attributedRevenue").getByTestId("compare-before").textContent()).toBe(net);
  expect(await row("attributedRevenue").getByTestId("compare-after").textContent()).toBe(net);

  await page.getByTestId("model-revenueBasis").selectOption("GROSS");
  await page.getByTestId("attribution-preview").click();
  await expect
    .poll(() => row("attributedRevenue").getByTestId("compare-after").textContent())
    .toBe(gross);
  expect(await row("attributedRevenue").getByTestId("compare-before").textContent()).toBe(net);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-attribution-preview.png"),
    fullPage: true,
  });

  // Out of range: the API's message sits next to the field, and nothing is saved.
  await page.getByTestId("model-clickWindowHours").fill("5000");
  await page.getByTestId("attribution-save").click();
  await expect.poll(() => page.getByTestId("error-clickWindowHours").textContent()).not.toBe("");
  const model = `{ attributionModel { clickWindowHours countOpens openWindowHours revenueBasis } }`;
  expect((await seeded.call(model)).attributionModel).toMatchObject({
    clickWindowHours: 120,
    revenueBasis: "NET",
  });
  await page.screenshot({
    path: path.join(screenshots, "admin-attribution-error.png"),
    fullPage: true,
  });

  await page.getByTestId("model-clickWindowHours").fill("72");
  await page.getByTestId("model-countOpens").check();
  await page.getByTestId("attribution-save").click();
  await expect.poll(() => page.getByTestId("attribution-saved").count()).toBe(1);
  expect(await page.getByTestId("error-clickWindowHours").textContent()).toBe("");
  expect((await seeded.call(model)).attributionModel).toEqual({
    clickWindowHours: 72,
    countOpens: true,
    openWindowHours: 24,
    revenueBasis: "GROSS",
  });
  expect(await page.getByTestId("saved-model").textContent()).toBe(
    "Saved: clicks within 72 h, opens within 24 h, gross revenue.",
  );
  expect(errors).toEqual([]);
});

it("shows a scenario's holdout and split results as the API reports them", async () => {
  const period = lastDays(90, shopTimeZone);
  const { scenarioHoldoutReport: holdout, scenarioSplitReport: split } = await seeded.call(
    `query($id: ID!, $period: ReportingPeriodInput!) {
      scenarioHoldoutReport(scenarioId: $id, period: $period) { __typename ... on QueryScenarioHoldoutReportSuccess { data {
        treated { units converted } heldOut { units converted } verdict warning
        incrementalRevenue { estimate { amount } low { amount } high { amount } } } } }
      scenarioSplitReport(scenarioId: $id, nodeId: "subject-test", period: $period) { __typename ... on QueryScenarioSplitReportSuccess { data {
        branches { branch runs recipients probabilityToBeBest } } } } }`,
    { id: seeded.scenarioId, period: { ...period, bucket: "DAY" } },
  );
  expect(holdout.data.treated.units + holdout.data.heldOut.units).toBe(24);

  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  await page.goto(`${ui.url}/#/scenarios/${encodeURIComponent(seeded.scenarioId)}`);
  await page.getByTestId("holdout-report").waitFor();
  expect(await page.getByTestId("holdout-verdict").getAttribute("data-verdict")).toBe(
    holdout.data.verdict,
  );
  if (holdout.data.warning) {
    expect(await page.getByTestId("holdout-warning").textContent()).toBe(holdout.data.warning);
  }
  const cells = (testid: string) => page.getByTestId(testid).locator("td").allTextContents();
  expect((await cells("holdout-treated")).slice(0, 2)).toEqual([
    String(holdout.data.treated.units),
    String(holdout.data.treated.converted),
  ]);
  expect((await cells("holdout-held-out")).slice(0, 2)).toEqual([
    String(holdout.data.heldOut.units),
    String(holdout.data.heldOut.converted),
  ]);
  const money = (m: { amount: string }) => formatMoney(m, "EUR", locale);
  const incremental = holdout.data.incrementalRevenue;
  expect(await page.getByTestId("holdout-incremental").locator("p").allTextContents()).toEqual([
    incremental ? money(incremental.estimate) : "—",
    incremental
      ? `95% interval ${money(incremental.low)} to ${money(incremental.high)}`
      : "Needs runs in both groups",
  ]);

  const report = page.locator('[data-testid=split-report][data-node="subject-test"]');
  for (const branch of split.data.branches) {
    const row = report.locator(`[data-testid=split-row][data-branch="${branch.branch}"]`);
    expect((await row.locator("td").allTextContents()).slice(0, 2)).toEqual([
      String(branch.runs),
      String(branch.recipients),
    ]);
    expect(await row.getByTestId("split-probability").textContent()).toBe(
      formatRate(branch.probabilityToBeBest, locale),
    );
  }
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-scenario-results.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

it("shows a contact's timeline, newest first, as the API returns it", async () => {
  const { contacts } = await seeded.call(
    `query($email: String!) { contacts(filter: { email: $email }) { edges { node { id
        timeline(first: 25) { edges { node { __typename source at } } } } } } }`,
    { email: seeded.clickers[0] },
  );
  const contact = contacts.edges[0].node;
  const entries = contact.timeline.edges.map((e: { node: { source: string } }) => e.node.source);
  expect(entries).toContain("MESSAGE");
  expect(entries).toContain("SCENARIO_STEP");

  const { page, errors } = await signIn(
    browser,
    ui.url,
    api.url,
    seeded.shop.secretKey,
    browserContext,
  );
  await page.goto(`${ui.url}/#/contacts/${encodeURIComponent(contact.id)}`);
  const rows = page.getByTestId("timeline-entry");
  await expect.poll(() => rows.count()).toBe(entries.length);
  expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-source")))).toEqual(
    entries,
  );
  expect(await rows.first().locator("time").getAttribute("datetime")).toBe(
    contact.timeline.edges[0].node.at,
  );
  await page.getByTestId("contact-timeline").scrollIntoViewIfNeeded();
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-contact-timeline.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

it("keeps today's figures live: an order placed now shows without a reload", async () => {
  const shop = await api.newShop();
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey, {
    viewport: { width: 1360, height: 900 },
  });
  const today = page.getByTestId("today");
  await expect.poll(() => today.getByTestId("live-state").getAttribute("data-state")).toBe("live");
  expect(await today.getByTestId("today-orders").locator(".today-value").textContent()).toBe("0");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  const { upsertOrders } = await api.api.data(
    `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
    {
      input: {
        orders: [
          {
            orderId: "live-1",
            customer: { email: "first@example.com" },
            total: 42,
            orderedAt: new Date().toISOString(),
          },
        ],
      },
    },
    shop.secretKey,
  );
  expect(upsertOrders.__typename).toBe("MutationUpsertOrdersSuccess");
  await expect
    .poll(() => today.getByTestId("today-orders").locator(".today-value").textContent())
    .toBe("1");
  expect(await today.getByTestId("today-revenue").locator(".today-value").textContent()).toMatch(
    /42/,
  );
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
  ).toBe(true);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-dashboard-today.png") });
  expect(errors).toEqual([]);
});
