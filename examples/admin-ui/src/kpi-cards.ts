import { formatCount, formatMoney, formatRate, type Money } from "./analytics.ts";
import { h } from "./dom.ts";

/** The `KpiFigures` fields the dashboard selects. */
export interface Figures {
  revenue: Money | null;
  orders: number;
  averageOrderValue: Money | null;
  customers: number;
  newCustomers: number;
  sessions: number;
  convertedSessions: number;
  conversionRate: number | null;
  cartsCreated: number;
  cartsConverted: number;
  cartAbandonmentRate: number | null;
  emailsSent: number;
  emailsBounced: number;
  emailsOpened: number;
  emailsClicked: number;
  openRate: number | null;
  clickRate: number | null;
  emailRevenue: Money | null;
  emailRevenueShare: number | null;
  emailRecipients: number;
  revenuePerRecipient: Money | null;
  marketingSpend: Money | null;
  customerAcquisitionCost: Money | null;
}

interface Card {
  key: keyof Figures;
  label: string;
  value: (f: Figures, currency: string) => string;
  raw: (f: Figures) => string;
  detail: (f: Figures, currency: string) => string;
  /** More figures whose definitions belong in the tooltip. */
  also?: (keyof Figures)[];
}

const amount = (money: Money | null) => money?.amount ?? "";
const rate = (value: number | null) => (value === null ? "" : String(value));

/** The dashboard's cards, in order: a headline figure and a line of context each. */
export const cards: Card[] = [
  {
    key: "revenue",
    label: "Revenue",
    value: (f, c) => formatMoney(f.revenue, c),
    raw: (f) => amount(f.revenue),
    detail: (f) => `${formatCount(f.customers)} customers, ${formatCount(f.newCustomers)} new`,
  },
  {
    key: "orders",
    label: "Orders",
    value: (f) => formatCount(f.orders),
    raw: (f) => String(f.orders),
    detail: () => "Cancelled orders left out",
  },
  {
    key: "averageOrderValue",
    label: "Avg. order value",
    value: (f, c) => formatMoney(f.averageOrderValue, c),
    raw: (f) => amount(f.averageOrderValue),
    detail: () => "Revenue ÷ orders",
  },
  {
    key: "conversionRate",
    label: "Conversion rate",
    value: (f) => formatRate(f.conversionRate),
    raw: (f) => rate(f.conversionRate),
    detail: (f) => `${formatCount(f.convertedSessions)} of ${formatCount(f.sessions)} sessions`,
    also: ["sessions"],
  },
  {
    key: "cartAbandonmentRate",
    label: "Cart abandonment",
    value: (f) => formatRate(f.cartAbandonmentRate),
    raw: (f) => rate(f.cartAbandonmentRate),
    detail: (f) =>
      `${formatCount(f.cartsCreated - f.cartsConverted)} of ${formatCount(f.cartsCreated)} carts`,
  },
  {
    key: "emailRevenue",
    label: "Email revenue",
    value: (f, c) => formatMoney(f.emailRevenue, c),
    raw: (f) => amount(f.emailRevenue),
    detail: (f) => `${formatRate(f.emailRevenueShare)} of revenue`,
    also: ["emailRevenueShare"],
  },
  {
    key: "revenuePerRecipient",
    label: "Revenue / recipient",
    value: (f, c) => formatMoney(f.revenuePerRecipient, c),
    raw: (f) => amount(f.revenuePerRecipient),
    detail: (f) => `${formatCount(f.emailRecipients)} recipients`,
    also: ["emailRecipients"],
  },
  {
    key: "openRate",
    label: "Open rate",
    value: (f) => formatRate(f.openRate),
    raw: (f) => rate(f.openRate),
    detail: (f) =>
      `${formatCount(f.emailsOpened)} of ${formatCount(f.emailsSent - f.emailsBounced)} delivered`,
    also: ["emailsOpened"],
  },
  {
    key: "clickRate",
    label: "Click rate",
    value: (f) => formatRate(f.clickRate),
    raw: (f) => rate(f.clickRate),
    detail: (f) =>
      `${formatCount(f.emailsClicked)} of ${formatCount(f.emailsSent - f.emailsBounced)} delivered`,
    also: ["emailsClicked"],
  },
  {
    key: "customerAcquisitionCost",
    label: "Acquisition cost",
    value: (f, c) => formatMoney(f.customerAcquisitionCost, c),
    raw: (f) => amount(f.customerAcquisitionCost),
    detail: (f, c) =>
      f.marketingSpend
        ? `${formatMoney(f.marketingSpend, c)} spend ÷ ${formatCount(f.newCustomers)} new`
        : "No marketing spend recorded",
    also: ["marketingSpend"],
  },
];

/**
 * One KPI card: `data-value` holds the API's raw figure, the "i" the API's definitions of the
 * figures it shows (as a tooltip on hover and focus).
 */
export function kpiCard(
  card: Card,
  figures: Figures,
  currency: string,
  definitions: Map<string, string>,
) {
  const definition = [card.key, ...(card.also ?? [])]
    .map((key) => definitions.get(key))
    .filter(Boolean)
    .join("\n");
  return h(
    "section",
    { class: "kpi", testid: "kpi", "data-kpi": card.key, "data-value": card.raw(figures) },
    h(
      "h3",
      {},
      card.label,
      definition
        ? h(
            "span",
            {
              class: "info",
              tabindex: 0,
              role: "note",
              "aria-label": definition,
              testid: "kpi-definition",
            },
            "i",
          )
        : null,
    ),
    h("p", { class: "kpi-value", testid: "kpi-value" }, card.value(figures, currency)),
    h("p", { class: "kpi-detail", testid: "kpi-detail" }, card.detail(figures, currency)),
  );
}
