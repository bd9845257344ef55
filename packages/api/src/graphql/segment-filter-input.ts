import type { InputFieldBuilder, SchemaTypes } from "@pothos/core";
import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  comparisonOperators,
  filterLimits,
  orderMetrics,
  propertyTypes,
  segmentContactFields,
} from "../domain/conditions/filter.ts";
import { builder } from "./builder.ts";
import { ConsentStatus } from "./contacts.ts";
import { decodeId } from "./ids.ts";

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
type Fields = InputFieldBuilder<Types, "InputObject">;

const PropertyType = builder.enumType("PropertyType", {
  values: propertyTypes,
  description:
    "How a custom property's JSON value is read; a value of another JSON type counts as missing.",
});
const ComparisonOperator = builder.enumType("ComparisonOperator", {
  values: comparisonOperators,
  description:
    "EQUALS to AT_MOST take `value`; BETWEEN takes `min` and `max` (inclusive); IN takes `values`; IN_LAST_DAYS, MORE_THAN_DAYS_AGO and ANNIVERSARY_WITHIN_DAYS (birthdays) take `days` (whole days of 24 hours back from now; for windows in hours or minutes, count events with `withinHours` / `withinMinutes`). Missing values satisfy only NOT_EQUALS and NOT_EXISTS.",
});
const ContactField = builder.enumType("ContactField", {
  values: Object.keys(segmentContactFields) as (keyof typeof segmentContactFields)[],
});
const OrderMetric = builder.enumType("OrderMetric", {
  values: Object.keys(orderMetrics) as (keyof typeof orderMetrics)[],
  description:
    "Facts from the contact's orders (from order events and upsertOrders; cancelled and guest orders left out), by when they were placed. COUNT, TOTAL_SPENT and AVERAGE_ORDER_VALUE are numbers (money: net of refunds, in major units of the workspace currency, over the orders in it); FIRST_ORDER_AT and LAST_ORDER_AT are dates.",
});
const EventOccurrence = builder.enumType("EventOccurrence", {
  values: ["FIRST", "LAST"] as const,
});

/** `withinDays`, `withinHours`, `withinMinutes`: at most one; none counts every event. */
const windowFields = (t: Fields, what: string) => ({
  withinDays: t.int({
    description: `Only ${what} of the last N days (N × 24 hours up to now), 1 to ${filterLimits.days}. Set at most one of withinDays, withinHours, withinMinutes; none means all ${what}.`,
  }),
  withinHours: t.int({
    description: `Only ${what} of the last N hours, 1 to ${filterLimits.days * 24}.`,
  }),
  withinMinutes: t.int({
    description: `Only ${what} of the last N minutes, 1 to ${filterLimits.days * 1440}.`,
  }),
});

const comparisonFields = (t: Fields) => ({
  op: t.field({ type: ComparisonOperator, required: true }),
  value: t.string({
    description: "Read as the declared type: text, a number, true/false or an ISO 8601 date.",
  }),
  values: t.stringList({ description: "For IN." }),
  min: t.string({ description: "For BETWEEN." }),
  max: t.string({ description: "For BETWEEN." }),
  days: t.int({
    description: "For IN_LAST_DAYS, MORE_THAN_DAYS_AGO and ANNIVERSARY_WITHIN_DAYS; at least 1.",
  }),
});

export const PropertyConditionInput = builder.inputType("PropertyConditionInput", {
  description: 'A custom property, e.g. { key: "plan", type: STRING, op: EQUALS, value: "pro" }.',
  fields: (t) => ({
    key: t.string({ required: true }),
    type: t.field({ type: PropertyType, required: true }),
    ...comparisonFields(t),
  }),
});

const FieldConditionInput = builder.inputType("FieldConditionInput", {
  fields: (t) => ({
    name: t.field({ type: ContactField, required: true }),
    ...comparisonFields(t),
  }),
});

const TagConditionInput = builder.inputType("TagConditionInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    has: t.boolean({ defaultValue: true, description: "False for contacts without the tag." }),
  }),
});

const ScoreConditionInput = builder.inputType("ScoreConditionInput", {
  description: "Lead score between min and max, inclusive; either may be left out.",
  fields: (t) => ({ min: t.int(), max: t.int() }),
});

const ConsentConditionInput = builder.inputType("ConsentConditionInput", {
  fields: (t) => ({ statuses: t.field({ type: [ConsentStatus], required: true }) }),
});

const EventConditionInput = builder.inputType("EventConditionInput", {
  description:
    'Performed the event at least / at most / exactly N times (default: at least once), in the window (`withinDays`, `withinHours` or `withinMinutes`) or ever, where its properties meet `where`. `atMost: 0` means did not perform, e.g. { name: "Order Completed", atMost: 0, withinHours: 2 }. No name means any event.',
  fields: (t) => ({
    name: t.string(),
    atLeast: t.int(),
    atMost: t.int(),
    exactly: t.int(),
    ...windowFields(t, "events"),
    where: t.field({ type: [PropertyConditionInput] }),
  }),
});

const EventTimeConditionInput = builder.inputType("EventTimeConditionInput", {
  description: "When the event first or last happened, compared as a date.",
  fields: (t) => ({
    name: t.string({ required: true }),
    which: t.field({ type: EventOccurrence, required: true }),
    where: t.field({ type: [PropertyConditionInput] }),
    ...comparisonFields(t),
  }),
});

const OrdersConditionInput = builder.inputType("OrdersConditionInput", {
  fields: (t) => ({
    metric: t.field({ type: OrderMetric, required: true }),
    ...windowFields(t, "orders"),
    ...comparisonFields(t),
  }),
});

const PurchasedConditionInput = builder.inputType("PurchasedConditionInput", {
  description:
    'Bought a product (an order line\'s product id) and/or from a category (the product\'s catalog category, or one under it: "Women" matches "Women > Shirts"), in the window or ever.',
  fields: (t) => ({
    productId: t.string(),
    category: t.string(),
    ...windowFields(t, "orders"),
  }),
});

const InSegmentConditionInput = builder.inputType("InSegmentConditionInput", {
  fields: (t) => ({
    segmentId: t.id({ required: true }),
    isMember: t.boolean({ defaultValue: true, description: "False for contacts not in it." }),
  }),
});

/** The GraphQL shape of a filter; the domain's parser validates it. */
export type SegmentFilterInputShape = { [kind: string]: unknown };

export const SegmentFilterInput = builder
  .inputRef<SegmentFilterInputShape>("SegmentFilterInput")
  .implement({
    isOneOf: true,
    description:
      "One node of a segment filter: set exactly one field. `and`, `or` and `not` combine other nodes; the rest are conditions.",
    fields: (t) => ({
      and: t.field({ type: [SegmentFilterInput] }),
      or: t.field({ type: [SegmentFilterInput] }),
      not: t.field({ type: SegmentFilterInput }),
      field: t.field({ type: FieldConditionInput, description: "A contact field." }),
      property: t.field({ type: PropertyConditionInput, description: "A custom property." }),
      tag: t.field({ type: TagConditionInput }),
      score: t.field({ type: ScoreConditionInput }),
      consent: t.field({ type: ConsentConditionInput }),
      event: t.field({ type: EventConditionInput }),
      eventTime: t.field({ type: EventTimeConditionInput }),
      orders: t.field({ type: OrdersConditionInput }),
      purchased: t.field({ type: PurchasedConditionInput }),
      inSegment: t.field({
        type: InSegmentConditionInput,
        description: "Membership of another segment.",
      }),
    }),
  });

/** Replaces the global segment ids of `inSegment` conditions with row ids, anywhere in a filter. */
export function decodeFilterIds(filter: unknown, path: string[] = ["filter"]): unknown {
  return mapSegmentIds(filter, path, (id, at) => decodeId(id, "Segment", at));
}

/** Replaces row ids of `inSegment` conditions with global ids, for output. */
export function encodeFilterIds(filter: unknown): unknown {
  return mapSegmentIds(filter, [], (id) => encodeGlobalID("Segment", id));
}

function mapSegmentIds(
  node: unknown,
  path: string[],
  map: (id: string, path: string[]) => string,
): unknown {
  if (Array.isArray(node))
    return node.map((item, index) => mapSegmentIds(item, [...path, String(index)], map));
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (
        key === "inSegment" &&
        typeof value === "object" &&
        value !== null &&
        "segmentId" in value
      ) {
        const segmentId = (value as { segmentId: unknown }).segmentId;
        const mapped =
          typeof segmentId === "string" ? map(segmentId, [...path, key, "segmentId"]) : segmentId;
        return [key, { ...value, segmentId: mapped }];
      }
      return [key, mapSegmentIds(value, [...path, key], map)];
    }),
  );
}
