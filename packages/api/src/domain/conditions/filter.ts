import type { ConsentStatusName } from "../contacts/contact-input.ts";

/**
 * The segment filter language. A filter is a tree stored as JSON: `and`, `or` and `not` over
 * conditions, each node an object with exactly one key naming its kind.
 *
 * @example { and: [
 *   { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
 *   { tag: { name: "vip" } },
 *   { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
 *   { not: { event: { name: "Order Completed", withinHours: 2 } } },
 * ] }
 */
export type SegmentFilter =
  | { and: SegmentFilter[] }
  | { or: SegmentFilter[] }
  | { not: SegmentFilter }
  | { field: FieldCondition }
  | { property: PropertyCondition }
  | { tag: TagCondition }
  | { score: ScoreCondition }
  | { consent: ConsentCondition }
  | { event: EventCondition }
  | { eventTime: EventTimeCondition }
  | { orders: OrdersCondition }
  | { purchased: PurchasedCondition }
  | { inSegment: InSegmentCondition };

export const propertyTypes = ["STRING", "NUMBER", "BOOLEAN", "DATE"] as const;
export type PropertyType = (typeof propertyTypes)[number];

export const comparisonOperators = [
  "EQUALS",
  "NOT_EQUALS",
  "CONTAINS",
  "STARTS_WITH",
  "GREATER_THAN",
  "LESS_THAN",
  "AT_LEAST",
  "AT_MOST",
  "BETWEEN",
  "IN",
  "EXISTS",
  "NOT_EXISTS",
  "IN_LAST_DAYS",
  "MORE_THAN_DAYS_AGO",
  "ANNIVERSARY_WITHIN_DAYS",
] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

/**
 * The operators that take `days` and count from now, so time passing alone changes them.
 * They stay in whole days (rolling 24-hour days back from now, as `withinDays`, except
 * ANNIVERSARY_WITHIN_DAYS, which counts calendar days in UTC): windows in hours and minutes
 * belong to event counts (see EventWindow), which say the sub-day things exactly.
 */
export const dayOperators: readonly ComparisonOperator[] = [
  "IN_LAST_DAYS",
  "MORE_THAN_DAYS_AGO",
  "ANNIVERSARY_WITHIN_DAYS",
];

/** Which operators each value type accepts. */
export const operatorsByType: Record<PropertyType, readonly ComparisonOperator[]> = {
  STRING: ["EQUALS", "NOT_EQUALS", "CONTAINS", "STARTS_WITH", "IN", "EXISTS", "NOT_EXISTS"],
  NUMBER: [
    "EQUALS",
    "NOT_EQUALS",
    "GREATER_THAN",
    "LESS_THAN",
    "AT_LEAST",
    "AT_MOST",
    "BETWEEN",
    "IN",
    "EXISTS",
    "NOT_EXISTS",
  ],
  BOOLEAN: ["EQUALS", "NOT_EQUALS", "EXISTS", "NOT_EXISTS"],
  DATE: [
    "GREATER_THAN",
    "LESS_THAN",
    "AT_LEAST",
    "AT_MOST",
    "BETWEEN",
    "EXISTS",
    "NOT_EXISTS",
    "IN_LAST_DAYS",
    "MORE_THAN_DAYS_AGO",
    "ANNIVERSARY_WITHIN_DAYS",
  ],
};

export type ScalarValue = string | number | boolean;

/**
 * A comparison of one typed value. Missing values (or values of another JSON type) satisfy
 * only NOT_EQUALS and NOT_EXISTS. AT_LEAST and AT_MOST include the bound. Strings compare
 * case-sensitively; dates are ISO 8601 strings (UTC when no offset is given); BETWEEN is
 * inclusive; IN_LAST_DAYS means within the last `days` × 24 hours up to now,
 * MORE_THAN_DAYS_AGO before that; ANNIVERSARY_WITHIN_DAYS means the date's month and day fall
 * between today and `days` days from today (UTC), as birthdays do.
 */
export interface Comparison {
  op: ComparisonOperator;
  value?: ScalarValue;
  values?: ScalarValue[];
  min?: ScalarValue;
  max?: ScalarValue;
  days?: number;
}

/** A custom property (`contacts.properties` or an event's `properties`), with its declared type. */
export interface PropertyCondition extends Comparison {
  key: string;
  type: PropertyType;
}

export const segmentContactFields = {
  EMAIL: { column: "email", type: "STRING" },
  EXTERNAL_ID: { column: "external_id", type: "STRING" },
  FIRST_NAME: { column: "first_name", type: "STRING" },
  LAST_NAME: { column: "last_name", type: "STRING" },
  PHONE: { column: "phone", type: "STRING" },
  LOCALE: { column: "locale", type: "STRING" },
  TIMEZONE: { column: "timezone", type: "STRING" },
  BIRTHDAY: { column: "birthday", type: "DATE" },
  CREATED_AT: { column: "created_at", type: "DATE" },
  LAST_SEEN_AT: { column: "last_seen_at", type: "DATE" },
} as const satisfies Record<string, { column: string; type: PropertyType }>;
export type ContactFieldName = keyof typeof segmentContactFields;

export interface FieldCondition extends Comparison {
  name: ContactFieldName;
}

export interface TagCondition {
  name: string;
  /** Default true; false means "has not". */
  has?: boolean;
}

/** Inclusive bounds; either may be left out. */
export interface ScoreCondition {
  min?: number;
  max?: number;
}

export interface ConsentCondition {
  statuses: ConsentStatusName[];
}

/**
 * How far back an event, orders or purchased condition counts, up to now: at most one of the
 * three fields (whole units, 1 minute to 3,650 days); none means ever. `withinDays: 7` is the
 * 7 × 24 hours before now, not calendar days. Flat fields rather than a `{ days, hours }`
 * duration, so the documents stored with `withinDays` read exactly as before.
 *
 * @example { withinHours: 2 } // the last 2 hours
 */
export interface EventWindow {
  withinDays?: number;
  withinHours?: number;
  withinMinutes?: number;
}

/**
 * "Performed `name` at least / at most / exactly N times in the window (or ever), where the
 * event's properties meet `where`". No count means at least once; `atMost: 0` means "did not
 * perform". No name means any tracked event (not Segment Entered / Exited).
 *
 * @example { name: "Order Completed", atMost: 0, withinHours: 2 } // no order in the last 2 hours
 */
export interface EventCondition extends EventWindow {
  name?: string;
  atLeast?: number;
  atMost?: number;
  exactly?: number;
  where?: PropertyCondition[];
}

/** "The first / last time `name` happened" compared as a DATE; never happened is missing. */
export interface EventTimeCondition extends Comparison {
  name: string;
  which: "FIRST" | "LAST";
  where?: PropertyCondition[];
}

/**
 * Shopping facts from the contact's `Order` rows, however they were written: `Order Completed`
 * / `Updated` / `Refunded` / `Cancelled` events (an event without `order_id` makes no order) and
 * the backend's `upsertOrders`, backfills included. An order counts from its `orderedAt`, so a
 * backfilled old order falls in the window where it belongs. Left out: orders ever cancelled
 * (even if refunded since) and guest orders until they are attached to the contact.
 * TOTAL_SPENT and AVERAGE_ORDER_VALUE are net revenue (total − refunds) in major units of the
 * workspace currency (`value: 100` is 100.00 EUR), over the orders in that currency only:
 * orders in other currencies count for COUNT and the dates but cannot be added to a sum without
 * exchange rates. A fully refunded order still counts as an order, with a value of 0.
 * Counts and sums of no orders are 0; the average and dates of no orders are missing.
 */
export const orderMetrics = {
  COUNT: "NUMBER",
  TOTAL_SPENT: "NUMBER",
  AVERAGE_ORDER_VALUE: "NUMBER",
  FIRST_ORDER_AT: "DATE",
  LAST_ORDER_AT: "DATE",
} as const satisfies Record<string, PropertyType>;
export type OrderMetric = keyof typeof orderMetrics;

/** An order metric over the orders of the window (all orders when no window is set). */
export interface OrdersCondition extends Comparison, EventWindow {
  metric: OrderMetric;
}

/**
 * Bought a product (an order line's product id, `products[].product_id` in events) and/or from
 * a category, in the window or ever, in the orders the orders condition counts. The category is
 * the product's category in the catalog now (set by `upsertProducts`, or by the first event that
 * named the product when the catalog has not), matched as the products filter does: the path
 * or any path under it, so `"Women"` matches `"Women > Shirts"` but not `"Women Shoes"`
 * (spacing around `>` does not matter).
 *
 * @example { purchased: { category: "Women > Shirts", withinDays: 90 } }
 */
export interface PurchasedCondition extends EventWindow {
  productId?: string;
  category?: string;
}

export interface InSegmentCondition {
  segmentId: string;
  /** Default true; false means "is not in". */
  isMember?: boolean;
}

export const filterLimits = { depth: 8, conditions: 60, listItems: 100, days: 3650 } as const;
