import type { ConsentStatusName } from "../contacts/contact-input.ts";

/**
 * The segment filter language. A filter is a tree stored as JSON: `and`, `or` and `not` over
 * conditions, each node an object with exactly one key naming its kind.
 *
 * @example { and: [
 *   { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
 *   { tag: { name: "vip" } },
 *   { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
 *   { not: { event: { name: "Order Completed", withinDays: 7 } } },
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

/** The operators that take `days` and count from now, so time passing alone changes them. */
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
 * only NOT_EQUALS and NOT_EXISTS. AT_LEAST and AT_MOST include the bound. Strings compare case-sensitively; dates are ISO 8601 strings
 * (UTC when no offset is given); BETWEEN is inclusive; IN_LAST_DAYS means within the last
 * `days` days up to now; ANNIVERSARY_WITHIN_DAYS means the date's month and day fall between
 * today and `days` days from today (UTC), as birthdays do.
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
 * "Performed `name` at least / at most / exactly N times in the last `withinDays` days (or
 * ever), where the event's properties meet `where`". No count means at least once; `atMost: 0`
 * means "did not perform". No name means any tracked event (not Segment Entered / Exited).
 */
export interface EventCondition {
  name?: string;
  atLeast?: number;
  atMost?: number;
  exactly?: number;
  withinDays?: number;
  where?: PropertyCondition[];
}

/** "The first / last time `name` happened" compared as a DATE; never happened is missing. */
export interface EventTimeCondition extends Comparison {
  name: string;
  which: "FIRST" | "LAST";
  where?: PropertyCondition[];
}

/**
 * Shopping facts from `Order Completed` events (one event is one order; its value is
 * `properties.total`, else `properties.revenue`, else 0). Counts and sums of no orders are 0;
 * the average and dates of no orders are missing.
 */
export const orderMetrics = {
  COUNT: "NUMBER",
  TOTAL_SPENT: "NUMBER",
  AVERAGE_ORDER_VALUE: "NUMBER",
  FIRST_ORDER_AT: "DATE",
  LAST_ORDER_AT: "DATE",
} as const satisfies Record<string, PropertyType>;
export type OrderMetric = keyof typeof orderMetrics;

export interface OrdersCondition extends Comparison {
  metric: OrderMetric;
  withinDays?: number;
}

/** Bought a product (`products[].product_id`) or from a category (`products[].category`). */
export interface PurchasedCondition {
  productId?: string;
  category?: string;
  withinDays?: number;
}

export interface InSegmentCondition {
  segmentId: string;
  /** Default true; false means "is not in". */
  isMember?: boolean;
}

export const filterLimits = { depth: 8, conditions: 60, listItems: 100, days: 3650 } as const;
