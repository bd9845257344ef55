import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { reportCustomerCohorts } from "../src/domain/analytics/customer-cohorts.ts";
import { rollUpAnalytics } from "../src/domain/analytics/roll-up.ts";
import {
  recordEmailClick,
  recordEmailOpen,
} from "../src/domain/messages/engagement/record-engagement.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

/**
 * One month of a shop in Paris (UTC+1 in November), every expected figure worked out by hand
 * in the comments beside the data.
 */
const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestWorkspace>>;
let other: Awaited<ReturnType<typeof createTestWorkspace>>;
let workspaceId: string;
const ids: Record<string, string> = {};
const at = (iso: string) => new Date(iso);
const human = { userAgent: "Mozilla/5.0 (Macintosh) Firefox/140.0", ip: "203.0.113.9" };

async function message(
  name: string,
  fields: {
    contact: string;
    sentAt: string;
    template?: "reminder" | "confirmation";
    scenario?: boolean;
    bouncedAt?: string;
    unsubscribedAt?: string;
    complainedAt?: string;
  },
) {
  const template = fields.template ?? null;
  const row = await db().message.create({
    data: {
      workspaceId,
      contactId: ids[fields.contact]!,
      templateId: template ? ids[template]! : null,
      kind: template === "confirmation" ? "TRANSACTIONAL" : "MARKETING",
      idempotencyKey: name,
      status: "SENT",
      toEmail: `${fields.contact}@example.com`,
      sentAt: at(fields.sentAt),
      queuedAt: at(fields.sentAt),
      ...(fields.bouncedAt && { bouncedAt: at(fields.bouncedAt) }),
      ...(fields.unsubscribedAt && { unsubscribedAt: at(fields.unsubscribedAt) }),
      ...(fields.complainedAt && { complainedAt: at(fields.complainedAt) }),
      ...(fields.scenario && {
        scenarioRunId: (
          await db().scenarioRun.create({
            data: {
              workspaceId,
              scenarioId: ids.scenario!,
              versionId: ids.version!,
              contactId: ids[fields.contact]!,
              trigger: {},
              startedAt: at(fields.sentAt),
              status: "COMPLETED",
            },
          })
        ).id,
        scenarioNodeId: "reminder",
      }),
    },
  });
  ids[name] = row.id;
  return row.id;
}

const order = (
  orderId: string,
  email: string,
  orderedAt: string,
  total: number,
  extra: Record<string, unknown> = {},
) => ({ orderId, customer: { email }, currency: "EUR", total, orderedAt, ...extra });

beforeAll(async () => {
  shop = await createTestWorkspace(api);
  other = await createTestWorkspace(api);
  workspaceId = decodeGlobalID(shop.workspaceId).id;
  await api.data(
    `mutation($input: UpdateEmailSettingsInput!) { updateEmailSettings(input: $input) { __typename } }`,
    { input: { currency: "EUR", timezone: "Europe/Paris" } },
    shop.secretKey,
  );
  for (const name of ["ada", "bob", "cy", "dee", "eve"]) {
    const contact = await db().contact.create({
      data: { workspaceId, email: `${name}@example.com` },
    });
    ids[name] = contact.id;
  }
  for (const [key, kind] of [
    ["reminder", "MARKETING"],
    ["confirmation", "TRANSACTIONAL"],
  ] as const) {
    const template = await db().template.create({
      data: { workspaceId, name: key, kind, subject: key, html: "<p>hi</p>" },
    });
    ids[key] = template.id;
  }
  const scenario = await db().scenario.create({
    data: { workspaceId, name: "Abandoned cart", definition: {} },
  });
  ids.scenario = scenario.id;
  ids.version = (
    await db().scenarioVersion.create({
      data: { scenarioId: scenario.id, workspaceId, version: 1, definition: {} },
    })
  ).id;

  // Ada clicks the reminder an hour after it was sent: her two orders within 5 days are its.
  await message("mA", {
    contact: "ada",
    sentAt: "2026-11-02T09:00:00Z",
    template: "reminder",
    scenario: true,
  });
  // …on a product of its cross-sell block.
  await recordEmailClick(
    ids.mA!,
    "https://shop.example/p/mug?cw_block=cross_sell&cw_strategy=cross_sell",
    human,
    at("2026-11-02T10:00:00Z"),
  );
  // Bob's reminder is clicked by a link scanner 5 s after the send, then opened by Bob.
  await message("mB", {
    contact: "bob",
    sentAt: "2026-11-03T09:00:00Z",
    template: "reminder",
    scenario: true,
  });
  await recordEmailClick(ids.mB!, "https://shop.example/cart", human, at("2026-11-03T09:00:05Z"));
  await recordEmailOpen(ids.mB!, human, at("2026-11-03T12:00:00Z"));
  // Cy's mail has every link opened within a second, long after delivery: a scanner too.
  await message("mC", { contact: "cy", sentAt: "2026-11-04T09:00:00Z", template: "reminder" });
  await recordEmailClick(ids.mC!, "https://shop.example/a", human, at("2026-11-04T10:00:00.000Z"));
  await recordEmailClick(ids.mC!, "https://shop.example/b", human, at("2026-11-04T10:00:01.000Z"));
  // Dee clicks her order confirmation: transactional mail never earns credit.
  await message("mD", { contact: "dee", sentAt: "2026-11-05T09:00:00Z", template: "confirmation" });
  await recordEmailClick(ids.mD!, "https://shop.example/order", human, at("2026-11-05T10:00:00Z"));
  // Eve clicks 7 days before her order: outside the default 120 h, inside 240 h.
  await message("mE", {
    contact: "eve",
    sentAt: "2026-11-01T08:00:00Z",
    template: "reminder",
    scenario: true,
  });
  await recordEmailClick(ids.mE!, "https://shop.example/new", human, at("2026-11-01T09:00:00Z"));
  await message("mG", {
    contact: "cy",
    sentAt: "2026-11-06T09:00:00Z",
    bouncedAt: "2026-11-06T09:00:02Z",
  });
  await message("mH", {
    contact: "bob",
    sentAt: "2026-11-07T09:00:00Z",
    unsubscribedAt: "2026-11-07T10:00:00Z",
    complainedAt: "2026-11-07T10:00:00Z",
  });

  const orders = [
    order("O1", "ada@example.com", "2026-11-03T10:00:00Z", 100), // credited to mA
    order("O2", "bob@example.com", "2026-11-03T18:00:00Z", 50), // influenced by Bob's open
    order("O3", "cy@example.com", "2026-11-04T12:00:00Z", 80), // scanner clicks only
    order("O4", "dee@example.com", "2026-11-05T12:00:00Z", 60), // transactional click only
    order("O5", "eve@example.com", "2026-11-08T09:00:00Z", 40), // click 7 days before
    order("O6", "ada@example.com", "2026-11-04T10:00:00Z", 30, {
      refunds: [{ refundId: "R1", amount: 10, refundedAt: "2026-11-06T10:00:00Z" }],
    }), // credited to mA, net 20
    order("O7", "ada@example.com", "2026-11-06T10:00:00Z", 999, { currency: "USD" }),
    order("O8", "bob@example.com", "2026-11-10T10:00:00Z", 70, {
      status: "CANCELLED",
      cancelledAt: "2026-11-11T10:00:00Z",
    }),
    order("O0", "cy@example.com", "2026-10-15T10:00:00Z", 10), // before the period
  ];
  const { upsertOrders } = await api.data(
    `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename ... on Error { message } } }`,
    { input: { orders } },
    shop.secretKey,
  );
  expect(upsertOrders.__typename).toBe("MutationUpsertOrdersSuccess");

  // Ada: two visits, the first followed by O1. A browser: one visit of three page views with
  // gaps under 30 minutes, then a visit 45 minutes later that ends in an order.
  const views = [
    { contactId: ids.ada, at: "2026-11-03T09:40:00Z" },
    { contactId: ids.ada, at: "2026-11-03T09:50:00Z" },
    { contactId: ids.ada, at: "2026-11-05T09:00:00Z" },
    { anonymousId: "anon-1", at: "2026-11-06T10:00:00Z" },
    { anonymousId: "anon-1", at: "2026-11-06T10:20:00Z" },
    { anonymousId: "anon-1", at: "2026-11-06T10:45:00Z" },
    { anonymousId: "anon-1", at: "2026-11-06T11:30:00Z" },
  ];
  const stored = await db().event.createManyAndReturn({
    data: [
      ...views.map((view, index) => ({
        workspaceId,
        contactId: view.contactId ?? null,
        anonymousId: view.anonymousId ?? null,
        name: "Page Viewed",
        occurredAt: at(view.at),
        messageId: `view-${index}`,
      })),
      {
        workspaceId,
        anonymousId: "anon-1",
        name: "Order Completed",
        occurredAt: at("2026-11-06T11:40:00Z"),
        messageId: "anon-order",
      },
    ],
    select: { id: true },
  });
  // What the worker's process_event does with each: the visits are kept from the page views.
  for (const event of stored) await reactToEvent(String(event.id));
  await db().cart.createMany({
    data: [
      ["c1", "CONVERTED", "2026-11-02T10:00:00Z"],
      ["c2", "ABANDONED", "2026-11-03T10:00:00Z"],
      ["c3", "ACTIVE", "2026-11-20T10:00:00Z"],
      ["c4", "CONVERTED", "2026-11-21T10:00:00Z"],
      ["c0", "ABANDONED", "2026-10-20T10:00:00Z"],
    ].map(([shopCartId, status, created]) => ({
      workspaceId,
      shopCartId: shopCartId!,
      currency: "EUR",
      status: status as "ACTIVE" | "ABANDONED" | "CONVERTED",
      lastActivityAt: at(created!),
      createdAt: at(created!),
    })),
  });
});

const november = { from: "2026-11-01", to: "2026-11-30" };
const figures = `revenue { amount } orders averageOrderValue { amount } customers newCustomers
  repeatCustomers repeatPurchaseRate sessions convertedSessions conversionRate cartsCreated
  cartsConverted cartAbandonmentRate emailsSent emailsBounced emailsOpened emailsClicked
  emailsUnsubscribed emailsComplained bounceRate openRate clickRate unsubscribeRate
  complaintRate emailRevenue { amount } emailRevenueShare emailRecipients revenuePerRecipient { amount }`;

async function kpis(period: Record<string, unknown>, key = shop.secretKey) {
  const result = await api.data(
    `query($period: ReportingPeriodInput!) {
      shopKpis(period: $period) {
        __typename
        ... on QueryShopKpisSuccess { data { from to timeZone currency total { ${figures} } buckets { start figures { ${figures} } } } }
        ... on InvalidInputError { message problems { path message } }
      }
    }`,
    { period },
    key,
  );
  return result.shopKpis;
}

async function attribution(
  period: Record<string, unknown>,
  model?: Record<string, unknown>,
  key = shop.secretKey,
) {
  const result = await api.data(
    `query($period: ReportingPeriodInput!, $model: AttributionModelInput) {
      revenueAttribution(period: $period, model: $model) {
        __typename
        ... on QueryRevenueAttributionSuccess { data {
          timeZone model { clickWindowHours countOpens openWindowHours revenueBasis }
          revenue { amount currency } orders attributedRevenue { amount } attributedOrders attributedShare
          influencedRevenue { amount } influencedOrders ordersInOtherCurrencies
          byScenario { id name revenue { amount } orders recipients revenuePerRecipient { amount } }
          byTemplate { id name revenue { amount } orders recipients revenuePerRecipient { amount } }
          byRecommendationBlock { block revenue { amount } orders }
          buckets { start revenue { amount } attributedRevenue { amount } orders attributedOrders }
        } }
        ... on InvalidInputError { message problems { path message } }
      }
    }`,
    { period, model },
    key,
  );
  return result.revenueAttribution;
}

describe("the touch log", () => {
  it("keeps every open and click, flags scanners, and refuses to be rewritten", async () => {
    const touches = await db().messageTouch.findMany({
      where: { workspaceId },
      orderBy: { occurredAt: "asc" },
      select: {
        messageId: true,
        kind: true,
        machine: true,
        scenarioId: true,
        templateId: true,
        block: true,
      },
    });
    const of = (name: string) =>
      touches.filter((touch) => touch.messageId === ids[name]).map((t) => [t.kind, t.machine]);
    expect(of("mA")).toEqual([["CLICKED", false]]);
    expect(of("mB")).toEqual([
      ["CLICKED", true],
      ["OPENED", false],
    ]);
    // The first click of the burst could not know; the report's burst rule catches it.
    expect(of("mC")).toEqual([
      ["CLICKED", false],
      ["CLICKED", true],
    ]);
    const clickA = touches.find((touch) => touch.messageId === ids.mA);
    expect(clickA).toMatchObject({
      scenarioId: ids.scenario,
      templateId: ids.reminder,
      block: "cross_sell",
    });
    await expect(
      db()
        .$executeRaw`UPDATE message_touches SET machine = true WHERE message_id = ${ids.mA}::uuid`,
    ).rejects.toThrow(/immutable/);
  });
});

describe("revenueAttribution", () => {
  it("credits each order to at most one marketing message, by the last human click", async () => {
    const { data, __typename } = await attribution(november);
    expect(__typename).toBe("QueryRevenueAttributionSuccess");
    expect(data.timeZone).toBe("Europe/Paris");
    expect(data.model).toEqual({
      clickWindowHours: 120,
      countOpens: false,
      openWindowHours: 24,
      revenueBasis: "NET",
    });
    // O1 100 + O2 50 + O3 80 + O4 60 + O5 40 + O6 (30 − 10) + O8 cancelled 0.
    expect(data.revenue).toEqual({ amount: "350.00", currency: "EUR" });
    expect(data.orders).toBe(6);
    expect(data.attributedRevenue.amount).toBe("120.00"); // O1 + O6
    expect(data.attributedOrders).toBe(2);
    expect(data.attributedShare).toBeCloseTo(120 / 350, 10);
    expect(data.influencedRevenue.amount).toBe("170.00"); // + O2, opened by Bob
    expect(data.influencedOrders).toBe(3);
    expect(data.ordersInOtherCurrencies).toBe(1);
    expect(data.byScenario).toEqual([
      {
        id: encodeGlobalID("Scenario", ids.scenario!),
        name: "Abandoned cart",
        revenue: { amount: "120.00" },
        orders: 2,
        recipients: 3, // Ada, Bob, Eve
        revenuePerRecipient: { amount: "40.00" },
      },
    ]);
    expect(data.byRecommendationBlock).toEqual([
      { block: "cross_sell", revenue: { amount: "120.00" }, orders: 2 },
    ]);
    expect(data.byTemplate).toEqual([
      {
        id: encodeGlobalID("Template", ids.reminder!),
        name: "reminder",
        revenue: { amount: "120.00" },
        orders: 2,
        recipients: 4, // Ada, Bob, Cy, Eve; the confirmation is transactional
        revenuePerRecipient: { amount: "30.00" },
      },
    ]);
  });

  it("previews another model without saving it, re-computing history", async () => {
    const opens = await attribution(november, { countOpens: true });
    expect(opens.data.attributedRevenue.amount).toBe("170.00"); // O2 credited to Bob's open
    const wider = await attribution(november, { clickWindowHours: 240 });
    expect(wider.data.attributedRevenue.amount).toBe("160.00"); // O5 too
    const gross = await attribution(november, { revenueBasis: "GROSS" });
    expect(gross.data.revenue.amount).toBe("430.00"); // refunds and the cancellation back
    expect(gross.data.attributedRevenue.amount).toBe("130.00");
    const saved = await attribution(november);
    expect(saved.data.model.clickWindowHours).toBe(120);
    expect(saved.data.attributedRevenue.amount).toBe("120.00");
  });

  it("buckets by week in the shop's time zone", async () => {
    const { data } = await attribution({ ...november, bucket: "WEEK" });
    expect(data.buckets.map((b: { start: string }) => b.start)).toEqual([
      "2026-10-26",
      "2026-11-02",
      "2026-11-09",
      "2026-11-16",
      "2026-11-23",
      "2026-11-30",
    ]);
    expect(data.buckets[1]).toMatchObject({
      revenue: { amount: "350.00" },
      attributedRevenue: { amount: "120.00" },
      orders: 6,
      attributedOrders: 2,
    });
    expect(data.buckets[2]).toMatchObject({ revenue: { amount: "0.00" }, orders: 0 });
  });

  it("saves a model and reports with it from then on; a bad model changes nothing", async () => {
    const update = (input: Record<string, unknown>, key = shop.secretKey) =>
      api.data(
        `mutation($input: AttributionModelInput!) { updateAttributionModel(input: $input) {
          __typename
          ... on MutationUpdateAttributionModelSuccess { model { clickWindowHours countOpens } }
          ... on InvalidInputError { problems { path message } }
        } }`,
        { input },
        key,
      );
    const bad = await update({ clickWindowHours: 0 });
    expect(bad.updateAttributionModel.__typename).toBe("InvalidInputError");
    expect(bad.updateAttributionModel.problems[0].path).toEqual(["clickWindowHours"]);
    const reader = await (await shop.makeKey("SECRET", ["ANALYTICS_READ"])).key;
    const refused = await update({ countOpens: true }, reader);
    expect(refused.updateAttributionModel.__typename).toBe("ForbiddenError");
    expect((await attribution(november)).data.attributedRevenue.amount).toBe("120.00");

    const saved = await update({ countOpens: true });
    expect(saved.updateAttributionModel.model).toEqual({ clickWindowHours: 120, countOpens: true });
    expect((await attribution(november)).data.attributedRevenue.amount).toBe("170.00");
    await update({ countOpens: false });
  });
});

describe("shopKpis", () => {
  it("computes each figure as defined, over the period", async () => {
    const { data, __typename } = await kpis(november);
    expect(__typename).toBe("QueryShopKpisSuccess");
    expect(data).toMatchObject({ timeZone: "Europe/Paris", currency: "EUR" });
    expect(data.total).toEqual({
      revenue: { amount: "350.00" },
      orders: 6,
      averageOrderValue: { amount: "58.33" }, // 350 ÷ 6, rounded down to the cent
      customers: 5,
      newCustomers: 4, // Cy ordered in October
      repeatCustomers: 2, // Ada (O1, O6) and Cy (O0, O3); Bob's second order was cancelled
      repeatPurchaseRate: 0.4,
      sessions: 4,
      convertedSessions: 2, // Ada's first visit (O1), the browser's second (its Order Completed)
      conversionRate: 0.5,
      cartsCreated: 4,
      cartsConverted: 2,
      cartAbandonmentRate: 0.5,
      emailsSent: 7,
      emailsBounced: 1,
      emailsOpened: 4, // mA, mB, mD, mE; mC only by a scanner
      emailsClicked: 3, // mA, mD, mE
      emailsUnsubscribed: 1,
      emailsComplained: 1,
      bounceRate: 1 / 7,
      openRate: 4 / 6,
      clickRate: 3 / 6,
      unsubscribeRate: 1 / 6,
      complaintRate: 1 / 6,
      emailRevenue: { amount: "120.00" },
      emailRevenueShare: 120 / 350,
      emailRecipients: 4, // Ada, Bob, Cy, Eve got marketing mail
      revenuePerRecipient: { amount: "30.00" },
    });
  });

  it("buckets by day in the shop's time zone, with empty days as zeros", async () => {
    const { data } = await kpis({ from: "2026-11-03", to: "2026-11-05", bucket: "DAY" });
    const days = data.buckets.map((bucket: { start: string; figures: Record<string, any> }) => [
      bucket.start,
      bucket.figures.revenue.amount,
      bucket.figures.orders,
      bucket.figures.sessions,
    ]);
    expect(days).toEqual([
      ["2026-11-03", "150.00", 2, 1],
      ["2026-11-04", "100.00", 2, 0],
      ["2026-11-05", "60.00", 1, 1],
    ]);
    expect(data.total.revenue.amount).toBe("310.00");
    expect(data.total.averageOrderValue.amount).toBe("62.00");
  });

  it("counts an order on the shop's local date, not UTC's", async () => {
    const paris = await createTestWorkspace(api);
    await api.data(
      `mutation($input: UpdateEmailSettingsInput!) { updateEmailSettings(input: $input) { __typename } }`,
      { input: { currency: "EUR", timezone: "Europe/Paris" } },
      paris.secretKey,
    );
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders: [order("late", "night@example.com", "2026-10-31T23:30:00Z", 25)] } },
      paris.secretKey,
    );
    const first = await kpis({ from: "2026-11-01", to: "2026-11-01" }, paris.secretKey);
    expect(first.data.total.revenue.amount).toBe("25.00");
    const before = await kpis({ from: "2026-10-31", to: "2026-10-31" }, paris.secretKey);
    expect(before.data.total.orders).toBe(0);
  });

  it("refuses a bad period with a typed error", async () => {
    const backwards = await kpis({ from: "2026-11-30", to: "2026-11-01" });
    expect(backwards.__typename).toBe("InvalidInputError");
    expect(backwards.problems[0].path).toEqual(["to"]);
    const tooMany = await kpis({ from: "2020-01-01", to: "2022-12-31", bucket: "DAY" });
    expect(tooMany.__typename).toBe("InvalidInputError");
    expect(tooMany.problems[0].path).toEqual(["bucket"]);
  });
});

describe("who may read the figures", () => {
  it("needs analytics:read, and shows another workspace nothing", async () => {
    const orders = (await shop.makeKey("SECRET", ["ORDERS_READ"])).key;
    const refused = await api.request(
      `query($period: ReportingPeriodInput!) { shopKpis(period: $period) { __typename } }`,
      { period: november },
      orders,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const reader = await (await shop.makeKey("SECRET", ["ANALYTICS_READ"])).key;
    expect((await kpis(november, reader)).data.total.orders).toBe(6);

    const theirs = await kpis(november, other.secretKey);
    expect(theirs.data.total).toMatchObject({
      orders: 0,
      sessions: 0,
      emailsSent: 0,
      cartsCreated: 0,
    });
    const theirAttribution = await attribution(november, undefined, other.secretKey);
    expect(theirAttribution.data).toMatchObject({ orders: 0, byScenario: [], byTemplate: [] });
  });
});

describe("marketing spend and CAC", () => {
  const record = (entries: Record<string, unknown>[], key = shop.secretKey) =>
    api.data(
      `mutation($input: RecordMarketingSpendInput!) { recordMarketingSpend(input: $input) {
        __typename
        ... on MutationRecordMarketingSpendSuccess { result { createdCount updatedCount } }
        ... on InvalidInputError { problems { path message } }
      } }`,
      { input: { entries } },
      key,
    );

  it("records spend per channel and day, all or nothing, and divides it by new customers", async () => {
    const first = await record([
      { channel: "google_ads", day: "2026-11-02", amount: 80 },
      { channel: "meta", day: "2026-11-03", amount: 20.5 },
      { channel: "meta", day: "2026-10-30", amount: 999 },
    ]);
    expect(first.recordMarketingSpend.result).toEqual({ createdCount: 3, updatedCount: 0 });
    // A repeat of a day and channel replaces it.
    const again = await record([{ channel: "google_ads", day: "2026-11-02", amount: 100 }]);
    expect(again.recordMarketingSpend.result).toEqual({ createdCount: 0, updatedCount: 1 });

    const bad = await record([
      { channel: "google_ads", day: "2026-11-05", amount: 5 },
      { channel: "google_ads", day: "2026-11-06", amount: 1.234 },
    ]);
    expect(bad.recordMarketingSpend).toEqual({
      __typename: "InvalidInputError",
      problems: [
        { path: ["entries", "1", "amount"], message: "has more decimals than EUR allows (2)" },
      ],
    });
    const twice = await record([
      { channel: "meta", day: "2026-11-07", amount: 1 },
      { channel: "meta", day: "2026-11-07", amount: 2 },
    ]);
    expect(twice.recordMarketingSpend.problems[0].path).toEqual(["entries", "1"]);
    const reader = (await shop.makeKey("SECRET", ["ANALYTICS_READ"])).key;
    expect(
      (await record([{ channel: "x", day: "2026-11-08", amount: 1 }], reader)).recordMarketingSpend
        .__typename,
    ).toBe("ForbiddenError");

    const { data } = await api
      .data(
        `query($period: ReportingPeriodInput!) { shopKpis(period: $period) {
        ... on QueryShopKpisSuccess { data {
          total { marketingSpend { amount } newCustomers customerAcquisitionCost { amount } }
          buckets { start figures { marketingSpend { amount } } }
        } }
      } }`,
        { period: { ...november, bucket: "WEEK" } },
        shop.secretKey,
      )
      .then((result) => result.shopKpis);
    // 100 + 20.50 in November (nothing of the refused batches); 4 new customers.
    expect(data.total).toEqual({
      marketingSpend: { amount: "120.50" },
      newCustomers: 4,
      customerAcquisitionCost: { amount: "30.12" },
    });
    expect(data.buckets[1]).toEqual({
      start: "2026-11-02",
      figures: { marketingSpend: { amount: "120.50" } },
    });
  });
});

describe("customer cohorts", () => {
  it("gives cumulative revenue per customer by first-order month, once each horizon is observable", async () => {
    const report = await reportCustomerCohorts(
      workspaceId,
      { from: "2026-10-01", to: "2026-11-30", bucket: "MONTH" },
      { asOf: new Date("2026-12-10T00:00:00Z") },
    );
    expect(report.cohorts).toEqual([
      // Cy: O0 10.00 on Oct 15, O3 80.00 twenty days later.
      {
        start: "2026-10-01",
        customers: 1,
        revenuePerCustomer: { 30: 9000n, 90: null, 180: null, 365: null },
      },
      // Ada 100 + 20 net, Bob 50 (his cancelled order is worth 0), Dee 60, Eve 40; the USD order left out.
      {
        start: "2026-11-01",
        customers: 4,
        revenuePerCustomer: { 30: 6750n, 90: null, 180: null, 365: null },
      },
    ]);
    const early = await reportCustomerCohorts(
      workspaceId,
      { from: "2026-11-01", to: "2026-11-30", bucket: "MONTH" },
      { asOf: new Date("2026-12-07T00:00:00Z") }, // Eve's first order is not 30 days old yet
    );
    expect(early.cohorts[0]?.revenuePerCustomer[30]).toBeNull();

    const viaApi = await api.data(
      `query($period: ReportingPeriodInput!) { customerCohorts(period: $period) {
        ... on QueryCustomerCohortsSuccess { data { cohorts { start customers revenuePerCustomer30d { amount } } } }
      } }`,
      { period: { from: "2026-10-01", to: "2026-11-30", bucket: "MONTH" } },
      shop.secretKey,
    );
    expect(
      viaApi.customerCohorts.data.cohorts.map((c: { customers: number }) => c.customers),
    ).toEqual([1, 4]);
  });
});

describe("roll-ups", () => {
  const dirtyMarks = () => db().analyticsDirtySlot.count({ where: { workspaceId } });
  const everything = async () => ({
    weekly: await kpis({ ...november, bucket: "WEEK" }),
    daily: await kpis(november),
    attribution: await attribution(november),
    preview: await attribution(november, { clickWindowHours: 240 }),
  });

  it("give the figures the raw tables give, and reports read them", async () => {
    const computed = await everything();
    expect(await dirtyMarks()).toBeGreaterThan(0);
    const [rolled] = await rollUpAnalytics({ workspaceId });
    expect(rolled).toMatchObject({ workspaceId, everything: true });
    expect(await dirtyMarks()).toBe(0);
    expect(await db().orderSlot.count({ where: { workspaceId } })).toBeGreaterThan(0);
    expect(await everything()).toEqual(computed);

    // Proof that reports read the roll-up: a doctored slot shows, until a mark makes it dirty.
    const slot = new Date("2026-11-06T10:00:00Z"); // the browser's first visit
    await db().analyticsSlot.update({
      where: { workspaceId_slot: { workspaceId, slot } },
      data: { sessions: { increment: 100 } },
    });
    expect((await kpis(november)).data.total.sessions).toBe(104);
    await db().analyticsDirtySlot.create({ data: { workspaceId, slot } });
    expect((await kpis(november)).data.total.sessions).toBe(4);
    await rollUpAnalytics({ workspaceId });
    expect(await everything()).toEqual(computed);
  });

  it("show a change at once, before the worker rolls it up", async () => {
    await rollUpAnalytics({ workspaceId });
    const before = (await kpis(november)).data.total;
    // A late refund of O1 (credited to mA) and a new order by Dee, both on November 3rd.
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      {
        input: {
          orders: [
            order("O1", "ada@example.com", "2026-11-03T10:00:00Z", 100, {
              refunds: [{ refundId: "R9", amount: 40, refundedAt: "2026-11-20T10:00:00Z" }],
            }),
            order("O9", "dee@example.com", "2026-11-03T11:00:00Z", 15),
          ],
        },
      },
      shop.secretKey,
    );
    expect(await dirtyMarks()).toBeGreaterThan(0);
    const fresh = (await kpis(november)).data.total;
    expect(fresh).toMatchObject({
      revenue: { amount: "325.00" }, // 350 − 40 + 15
      orders: 7,
      emailRevenue: { amount: "80.00" }, // mA's 100 + 20 − 40
      repeatCustomers: 3, // Dee now has two orders
    });
    expect(before.orders).toBe(6);
    await rollUpAnalytics({ workspaceId });
    expect(await dirtyMarks()).toBe(0);
    expect((await kpis(november)).data.total).toEqual(fresh);
  });

  it("re-credit every slot after the attribution model changes", async () => {
    const wider = (await attribution(november, { clickWindowHours: 240 })).data;
    await api.data(
      `mutation($input: AttributionModelInput!) { updateAttributionModel(input: $input) { __typename } }`,
      { input: { clickWindowHours: 240 } },
      shop.secretKey,
    );
    expect(await db().analyticsDirtySlot.count({ where: { workspaceId, slot: null } })).toBe(1);
    const saved = (await attribution(november)).data;
    expect(saved.attributedRevenue).toEqual(wider.attributedRevenue);
    const [rolled] = await rollUpAnalytics({ workspaceId });
    expect(rolled?.everything).toBe(true);
    expect((await attribution(november)).data).toEqual(saved);
    await api.data(
      `mutation($input: AttributionModelInput!) { updateAttributionModel(input: $input) { __typename } }`,
      { input: { clickWindowHours: 120 } },
      shop.secretKey,
    );
    await rollUpAnalytics({ workspaceId });
  });
});
