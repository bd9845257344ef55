import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  type AttributionModel,
  loadAttributionModel,
  updateAttributionModel,
} from "../domain/analytics/attribution-settings.ts";
import {
  type CohortFigures,
  type CustomerCohorts,
  type lifetimeHorizons,
  reportCustomerCohorts,
} from "../domain/analytics/customer-cohorts.ts";
import { maxSpendEntries, recordMarketingSpend } from "../domain/analytics/marketing-spend.ts";
import { reportingBuckets } from "../domain/analytics/reporting-period.ts";
import {
  type AttributedSource,
  type AttributionBucket,
  type RevenueAttribution,
  reportRevenueAttribution,
} from "../domain/analytics/revenue-attribution.ts";
import {
  type KpiCounts,
  kpiRates,
  reportShopKpis,
  type ShopKpis,
} from "../domain/analytics/shop-kpis.ts";
import { InvalidInputError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { withoutNulls } from "./input.ts";
import { Money } from "./money.ts";

const ReportingBucket = builder.enumType("ReportingBucket", {
  description:
    "Buckets start at local midnight in the workspace's time zone; weeks start on Monday.",
  values: reportingBuckets,
});

const RevenueBasis = builder.enumType("RevenueBasis", {
  values: {
    NET: { description: "Refunds deducted; a cancelled order is worth nothing." },
    GROSS: { description: "Order totals as placed." },
  },
});

export const ReportingPeriodInput = builder.inputType("ReportingPeriodInput", {
  description: `Local dates of the shop, both included, in the workspace's time zone (its email settings' timezone, else UTC). At most 3 years and 400 buckets.`,
  fields: (t) => ({
    from: t.field({ type: "Date", required: true }),
    to: t.field({ type: "Date", required: true }),
    bucket: t.field({ type: ReportingBucket, defaultValue: "DAY" }),
  }),
});

const AttributionModelInput = builder.inputType("AttributionModelInput", {
  description: "A change to the attribution model; a field left out keeps the saved value.",
  fields: (t) => ({
    clickWindowHours: t.int({ description: "1–2160." }),
    countOpens: t.boolean(),
    openWindowHours: t.int({ description: "1–2160." }),
    revenueBasis: t.field({ type: RevenueBasis }),
  }),
});

const AttributionModelRef = builder.objectRef<AttributionModel>("AttributionModel").implement({
  description:
    "How orders are credited to messages. Each order is credited to at most one marketing message: the latest click by a person within `clickWindowHours` before it; when none and `countOpens`, the latest open by a person within `openWindowHours`. Machine opens (privacy pre-fetch, image proxies), link-scanner clicks (within 10 s of delivery, or two links of one message within 2 s) and transactional mail never earn credit. Defaults: 120 h of clicks, opens off, NET.",
  fields: (t) => ({
    clickWindowHours: t.exposeInt("clickWindowHours"),
    countOpens: t.exposeBoolean("countOpens"),
    openWindowHours: t.exposeInt("openWindowHours"),
    revenueBasis: t.field({ type: RevenueBasis, resolve: (model) => model.revenueBasis }),
  }),
});

type Priced<T> = T & { currency: string };

const AttributedSourceRef = builder
  .objectRef<Priced<AttributedSource> & { typename: "Scenario" | "Template" }>("AttributedSource")
  .implement({
    description: "What one scenario or template earned under the model, and whom it mailed.",
    fields: (t) => ({
      id: t.id({
        description: "The Scenario's or Template's id.",
        resolve: (source) => encodeGlobalID(source.typename, source.id),
      }),
      name: t.exposeString("name", { nullable: true }),
      revenue: t.field({
        type: Money,
        resolve: (s) => ({ minor: s.revenue, currency: s.currency }),
      }),
      orders: t.exposeInt("orders", { description: "Credited orders (cancelled ones left out)." }),
      recipients: t.exposeInt("recipients", {
        description: "Distinct contacts it sent marketing mail to during the period.",
      }),
      revenuePerRecipient: t.field({
        type: Money,
        nullable: true,
        description: "revenue ÷ recipients; null without recipients in the period.",
        resolve: (s) =>
          s.recipients === 0
            ? null
            : { minor: s.revenue / BigInt(s.recipients), currency: s.currency },
      }),
    }),
  });

const AttributionBucketRef = builder
  .objectRef<Priced<AttributionBucket>>("AttributionBucket")
  .implement({
    fields: (t) => ({
      start: t.field({ type: "Date", resolve: (b) => new Date(`${b.start}T00:00:00Z`) }),
      revenue: t.field({
        type: Money,
        resolve: (b) => ({ minor: b.revenue, currency: b.currency }),
      }),
      attributedRevenue: t.field({
        type: Money,
        resolve: (b) => ({ minor: b.attributedRevenue, currency: b.currency }),
      }),
      influencedRevenue: t.field({
        type: Money,
        resolve: (b) => ({ minor: b.influencedRevenue, currency: b.currency }),
      }),
      orders: t.exposeInt("orders"),
      attributedOrders: t.exposeInt("attributedOrders"),
    }),
  });

const AttributedBlockRef = builder
  .objectRef<{ block: string; revenue: bigint; orders: number; currency: string }>(
    "AttributedRecommendationBlock",
  )
  .implement({
    fields: (t) => ({
      block: t.exposeString("block", { description: 'The block\'s name, e.g. "cross_sell".' }),
      revenue: t.field({
        type: Money,
        resolve: (b) => ({ minor: b.revenue, currency: b.currency }),
      }),
      orders: t.exposeInt("orders"),
    }),
  });

const RevenueAttributionRef = builder
  .objectRef<RevenueAttribution>("RevenueAttribution")
  .implement({
    description:
      "Revenue credited to marketing mail, computed at query time from the touch log and the orders of the shop currency.",
    fields: (t) => ({
      from: t.field({ type: "Date", resolve: (r) => new Date(`${r.period.from}T00:00:00Z`) }),
      to: t.field({ type: "Date", resolve: (r) => new Date(`${r.period.to}T00:00:00Z`) }),
      timeZone: t.string({ resolve: (r) => r.period.timeZone }),
      model: t.field({ type: AttributionModelRef, resolve: (r) => r.model }),
      revenue: t.field({
        type: Money,
        description: "All orders of the period, under the model's basis.",
        resolve: (r) => ({ minor: r.revenue, currency: r.currency }),
      }),
      orders: t.exposeInt("orders", { description: "Orders placed, cancelled ones left out." }),
      attributedRevenue: t.field({
        type: Money,
        description: "Credited to exactly one message each.",
        resolve: (r) => ({ minor: r.attributedRevenue, currency: r.currency }),
      }),
      attributedOrders: t.exposeInt("attributedOrders"),
      attributedShare: t.float({
        nullable: true,
        description: "attributedRevenue ÷ revenue (0–1); null when revenue is zero.",
        resolve: (r) => (r.revenue === 0n ? null : Number(r.attributedRevenue) / Number(r.revenue)),
      }),
      influencedRevenue: t.field({
        type: Money,
        description:
          "Orders with any person's open or click of marketing mail within the click window. It includes the attributed orders: never add the two.",
        resolve: (r) => ({ minor: r.influencedRevenue, currency: r.currency }),
      }),
      influencedOrders: t.exposeInt("influencedOrders"),
      ordersInOtherCurrencies: t.exposeInt("ordersInOtherCurrencies", {
        description: "Orders in a currency other than the shop's: left out of every figure here.",
      }),
      byScenario: t.field({
        type: [AttributedSourceRef],
        description:
          "Scenarios that earned credit or mailed someone during the period, best first.",
        resolve: (r) =>
          r.byScenario.map((s) => ({ ...s, currency: r.currency, typename: "Scenario" as const })),
      }),
      byTemplate: t.field({
        type: [AttributedSourceRef],
        resolve: (r) =>
          r.byTemplate.map((s) => ({ ...s, currency: r.currency, typename: "Template" as const })),
      }),
      byRecommendationBlock: t.field({
        type: [AttributedBlockRef],
        description:
          "Orders credited to a click on a link of a recommendation block (`cw_block` on the link), by block name: what the product blocks in mails earned.",
        resolve: (r) => r.byRecommendationBlock.map((b) => ({ ...b, currency: r.currency })),
      }),
      buckets: t.field({
        type: [AttributionBucketRef],
        resolve: (r) => r.buckets.map((b) => ({ ...b, currency: r.currency })),
      }),
    }),
  });

const KpiFiguresRef = builder.objectRef<Priced<KpiCounts>>("KpiFigures").implement({
  description:
    "A bucket's or the period's figures. Counts are exact; every rate is computed from the counts of the same span (a total is never an average of averages) and is null when its denominator is zero.",
  fields: (t) => {
    const rate = (name: keyof ReturnType<typeof kpiRates>, description: string) =>
      t.float({
        nullable: true,
        description,
        resolve: (counts) => kpiRates(counts)[name] as number | null,
      });
    const amount = (pick: (counts: Priced<KpiCounts>) => bigint | null, description: string) =>
      t.field({
        type: Money,
        nullable: true,
        description,
        resolve: (counts) => {
          const minor = pick(counts);
          return minor === null ? null : { minor, currency: counts.currency };
        },
      });
    return {
      revenue: amount(
        (c) => c.revenue,
        "Orders placed in the span in the shop currency, under the attribution model's basis (NET: totals less refunds, cancelled orders 0).",
      ),
      orders: t.exposeInt("orders", { description: "Orders placed, cancelled ones left out." }),
      averageOrderValue: amount((c) => kpiRates(c).averageOrderValue, "revenue ÷ orders."),
      customers: t.exposeInt("customers", { description: "Contacts who placed an order." }),
      newCustomers: t.exposeInt("newCustomers", {
        description: "Customers whose first order ever is in the span.",
      }),
      repeatCustomers: t.exposeInt("repeatCustomers", {
        description: "Customers with at least two orders up to the end of the span.",
      }),
      repeatPurchaseRate: rate("repeatPurchaseRate", "repeatCustomers ÷ customers."),
      sessions: t.exposeInt("sessions", {
        description:
          "Visits from the SDK's page views: one visitor's page views with gaps under 30 minutes. A visit counts in the span it starts in.",
      }),
      convertedSessions: t.exposeInt("convertedSessions", {
        description:
          "Sessions followed by an order of the visitor (by contact, or an Order Completed event of the browser) before 30 minutes after their last page view.",
      }),
      conversionRate: rate("conversionRate", "convertedSessions ÷ sessions."),
      cartsCreated: t.exposeInt("cartsCreated"),
      cartsConverted: t.exposeInt("cartsConverted", {
        description: "Carts created in the span that an order has bought so far.",
      }),
      cartAbandonmentRate: rate("cartAbandonmentRate", "1 − cartsConverted ÷ cartsCreated."),
      emailsSent: t.exposeInt("emailsSent", {
        description:
          "Messages accepted by SES in the span (marketing and transactional, no test sends).",
      }),
      emailsBounced: t.exposeInt("emailsBounced"),
      emailsOpened: t.exposeInt("emailsOpened", {
        description:
          "Sent messages opened by a person: a human open or a human click in the touch log (machine opens and link scanners left out).",
      }),
      emailsClicked: t.exposeInt("emailsClicked", {
        description: "Sent messages with a click by a person (link scanners left out).",
      }),
      emailsUnsubscribed: t.exposeInt("emailsUnsubscribed"),
      emailsComplained: t.exposeInt("emailsComplained"),
      bounceRate: rate("bounceRate", "emailsBounced ÷ emailsSent."),
      openRate: rate("openRate", "emailsOpened ÷ (emailsSent − emailsBounced)."),
      clickRate: rate("clickRate", "emailsClicked ÷ (emailsSent − emailsBounced)."),
      unsubscribeRate: rate(
        "unsubscribeRate",
        "emailsUnsubscribed ÷ (emailsSent − emailsBounced).",
      ),
      complaintRate: rate("complaintRate", "emailsComplained ÷ (emailsSent − emailsBounced)."),
      emailRevenue: amount(
        (c) => c.emailRevenue,
        "Revenue of the span's orders attributed to marketing mail under the saved model (see revenueAttribution).",
      ),
      emailRevenueShare: rate("emailRevenueShare", "emailRevenue ÷ revenue."),
      emailRecipients: t.exposeInt("emailRecipients", {
        description: "Distinct contacts sent marketing mail in the span.",
      }),
      revenuePerRecipient: amount(
        (c) => kpiRates(c).revenuePerRecipient,
        "emailRevenue ÷ emailRecipients.",
      ),
      marketingSpend: amount(
        (c) => c.marketingSpend,
        "Spend entered with recordMarketingSpend (or the import command) for the span's days, every channel.",
      ),
      customerAcquisitionCost: amount(
        (c) => kpiRates(c).customerAcquisitionCost,
        "CAC: marketingSpend ÷ newCustomers.",
      ),
    };
  },
});

const KpiBucketRef = builder
  .objectRef<Priced<KpiCounts> & { start: string }>("KpiBucket")
  .implement({
    fields: (t) => ({
      start: t.field({ type: "Date", resolve: (b) => new Date(`${b.start}T00:00:00Z`) }),
      figures: t.field({ type: KpiFiguresRef, resolve: (b) => b }),
    }),
  });

export const ShopKpisRef = builder.objectRef<ShopKpis>("ShopKpis").implement({
  fields: (t) => ({
    from: t.field({ type: "Date", resolve: (r) => new Date(`${r.period.from}T00:00:00Z`) }),
    to: t.field({ type: "Date", resolve: (r) => new Date(`${r.period.to}T00:00:00Z`) }),
    timeZone: t.string({ resolve: (r) => r.period.timeZone }),
    currency: t.exposeString("currency"),
    total: t.field({ type: KpiFiguresRef, resolve: (r) => ({ ...r.total, currency: r.currency }) }),
    buckets: t.field({
      type: [KpiBucketRef],
      resolve: (r) => r.buckets.map((b) => ({ ...b, currency: r.currency })),
    }),
  }),
});

const CohortRef = builder
  .objectRef<CohortFigures & { currency: string }>("CustomerCohort")
  .implement({
    description:
      "Customers whose first order falls in one bucket, and their cumulative revenue per customer within N days of their own first order.",
    fields: (t) => {
      const horizon = (days: (typeof lifetimeHorizons)[number]) =>
        t.field({
          type: Money,
          nullable: true,
          description: `Within ${days} days; null until every customer of the cohort is ${days} days old.`,
          resolve: (c) => {
            const minor = c.revenuePerCustomer[days];
            return minor === null ? null : { minor, currency: c.currency };
          },
        });
      return {
        start: t.field({ type: "Date", resolve: (c) => new Date(`${c.start}T00:00:00Z`) }),
        customers: t.exposeInt("customers"),
        revenuePerCustomer30d: horizon(30),
        revenuePerCustomer90d: horizon(90),
        revenuePerCustomer180d: horizon(180),
        revenuePerCustomer365d: horizon(365),
      };
    },
  });

const CustomerCohortsRef = builder.objectRef<CustomerCohorts>("CustomerCohorts").implement({
  fields: (t) => ({
    asOf: t.expose("asOf", { type: "DateTime" }),
    cohorts: t.field({
      type: [CohortRef],
      resolve: (r) => r.cohorts.map((c) => ({ ...c, currency: r.currency })),
    }),
  }),
});

builder.queryField("customerCohorts", (t) =>
  t.field({
    type: CustomerCohortsRef,
    description:
      "Historical LTV per acquisition cohort: customers by the bucket of their first order (default MONTH buckets are the usual choice), with cumulative revenue per customer at 30/90/180/365 days, under the attribution model's basis.",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError] },
    args: { period: t.arg({ type: ReportingPeriodInput, required: true }) },
    resolve: (_root, { period }, context) =>
      reportCustomerCohorts(workspaceOf(context.principal), periodOf(period)),
  }),
);

const MarketingSpendEntryInput = builder.inputType("MarketingSpendEntryInput", {
  fields: (t) => ({
    channel: t.string({
      required: true,
      description: "e.g. google_ads, meta, newsletter_sponsor.",
    }),
    day: t.field({ type: "Date", required: true, description: "The shop's local date." }),
    amount: t.float({
      required: true,
      description: "Major units of the shop currency (`120.5`); no more decimals than it has.",
    }),
  }),
});

const RecordMarketingSpendPayload = builder
  .objectRef<{ createdCount: number; updatedCount: number }>("RecordMarketingSpendPayload")
  .implement({
    fields: (t) => ({
      createdCount: t.exposeInt("createdCount", { description: "Days and channels new here." }),
      updatedCount: t.exposeInt("updatedCount", {
        description: "Entries that replaced an amount.",
      }),
    }),
  });

builder.mutationField("recordMarketingSpend", (t) =>
  t.field({
    type: RecordMarketingSpendPayload,
    description: `Records spend per channel and day (a repeat replaces the amount), up to ${maxSpendEntries} entries, all or nothing. CAC reads it.`,
    authScopes: { scope: "analytics:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: {
      input: t.arg({
        type: builder.inputType("RecordMarketingSpendInput", {
          fields: (f) => ({
            entries: f.field({ type: [MarketingSpendEntryInput], required: true }),
          }),
        }),
        required: true,
      }),
    },
    resolve: (_root, { input }, context) =>
      recordMarketingSpend(workspaceOf(context.principal), {
        entries: input.entries.map((entry) => ({
          channel: entry.channel,
          day: entry.day.toISOString().slice(0, 10),
          amount: entry.amount,
        })),
      }),
  }),
);

export function periodOf(input: { from: Date; to: Date; bucket?: string | null }) {
  return {
    from: input.from.toISOString().slice(0, 10),
    to: input.to.toISOString().slice(0, 10),
    bucket: (input.bucket ?? "DAY") as (typeof reportingBuckets)[number],
  };
}

builder.queryField("shopKpis", (t) =>
  t.field({
    type: ShopKpisRef,
    description:
      "The shop's figures over a period, per bucket and in total: revenue, orders, AOV, repeat purchase rate, conversion rate, cart abandonment, email rates and email revenue. Every definition is in the fields' descriptions.",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError] },
    args: { period: t.arg({ type: ReportingPeriodInput, required: true }) },
    resolve: (_root, { period }, context) =>
      reportShopKpis(workspaceOf(context.principal), periodOf(period)),
  }),
);

builder.queryField("revenueAttribution", (t) =>
  t.field({
    type: RevenueAttributionRef,
    description:
      "Revenue credited to marketing mail over a period, by scenario and template. `model` previews a change to the saved model without saving it; history is always re-computed.",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError] },
    args: {
      period: t.arg({ type: ReportingPeriodInput, required: true }),
      model: t.arg({ type: AttributionModelInput }),
    },
    resolve: (_root, { period, model }, context) =>
      reportRevenueAttribution(
        workspaceOf(context.principal),
        periodOf(period),
        model ? withoutNulls(model) : null,
      ),
  }),
);

builder.queryField("attributionModel", (t) =>
  t.field({
    type: AttributionModelRef,
    description: "The workspace's saved attribution model.",
    authScopes: { scope: "analytics:read" },
    resolve: (_root, _args, context) => loadAttributionModel(workspaceOf(context.principal)),
  }),
);

builder.mutationField("updateAttributionModel", (t) =>
  t.field({
    type: AttributionModelRef,
    description:
      "Saves a change to the attribution model; every report re-computes history with it.",
    authScopes: { scope: "analytics:write" },
    errors: { types: mutationErrors, dataField: { name: "model" } },
    args: { input: t.arg({ type: AttributionModelInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateAttributionModel(workspaceOf(context.principal), withoutNulls(input)),
  }),
);
