import { formatCount, formatMoney, formatRate, type Money } from "../analytics.ts";
import { h, show } from "../dom.ts";
import { liveBadge, subscribeLive } from "../live.ts";
import type { Credentials } from "../session.ts";

interface TodayFigures {
  revenue: Money | null;
  orders: number;
  averageOrderValue: Money | null;
  sessions: number;
  conversionRate: number | null;
  emailsSent: number;
  emailRevenue: Money | null;
}

const todaySubscription = `subscription { todayKpis { currency timeZone total {
  revenue { amount } orders averageOrderValue { amount } sessions conversionRate emailsSent
  emailRevenue { amount } } } }`;

/**
 * Today in the shop's time zone, kept live by `todayKpis`: a strip of headline figures above
 * the period's cards, updated as orders, visits and mail come in. Closed with `signal`.
 */
export function todayStrip(credentials: Credentials, signal: AbortSignal): HTMLElement {
  const state = liveBadge();
  const figures = h(
    "div",
    { class: "today-figures", testid: "today-figures" },
    h("span", { class: "muted" }, "Waiting for today's figures…"),
  );
  const figure = (testid: string, label: string, value: string) =>
    h(
      "div",
      { class: "today-figure", testid },
      h("span", { class: "today-value" }, value),
      h("span", { class: "today-label" }, label),
    );
  subscribeLive<{ todayKpis: { currency: string; timeZone: string; total: TodayFigures } }>(
    credentials,
    todaySubscription,
    {},
    {
      signal,
      onState: (now, detail) => {
        state.set(now, detail);
        if (now === "failed") show(figures, h("span", { class: "muted" }, detail ?? ""));
      },
      onData: ({ todayKpis: { currency, total } }) =>
        show(
          figures,
          figure("today-revenue", "revenue", formatMoney(total.revenue, currency)),
          figure("today-orders", "orders", formatCount(total.orders)),
          figure("today-aov", "average order", formatMoney(total.averageOrderValue, currency)),
          figure("today-sessions", "sessions", formatCount(total.sessions)),
          figure("today-conversion", "conversion", formatRate(total.conversionRate)),
          figure("today-emails", "emails sent", formatCount(total.emailsSent)),
          figure("today-email-revenue", "from email", formatMoney(total.emailRevenue, currency)),
        ),
    },
  );
  return h(
    "section",
    { class: "today", testid: "today" },
    h("div", { class: "today-head" }, h("h2", { class: "today-title" }, "Today"), state.badge),
    figures,
  );
}
