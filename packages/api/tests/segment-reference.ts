/**
 * A plain in-memory evaluator of segment filters, written for the property-based test
 * independently of the SQL compiler: the compiled queries and the incremental updates must
 * agree with it.
 */
import type {
  Comparison,
  EventWindow,
  PropertyCondition,
  PropertyType,
  SegmentFilter,
} from "../src/domain/conditions/filter.ts";

export interface RefContact {
  id: string;
  email: string;
  properties: Record<string, unknown>;
  score: number;
  consentStatus: string;
  tags: string[];
  birthday: Date | null;
  createdAt: Date;
  lastSeenAt: Date | null;
}

export interface RefEvent {
  contactId: string;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: Date;
}

/** An order as the orders table holds it, amounts in major units. */
export interface RefOrder {
  contactId: string | null;
  orderedAt: Date;
  total: number;
  refunded: number;
  cancelled: boolean;
  currency: string;
  productIds: string[];
}

export interface RefWorld {
  now: Date;
  contacts: RefContact[];
  events: RefEvent[];
  /** The orders, from events and from upsertOrders: what the shopping-fact conditions read. */
  orders: RefOrder[];
  /** The catalog's category of each product. */
  categories: Map<string, string>;
  /** The workspace currency. */
  currency: string;
  segments: Map<string, SegmentFilter>;
}

const day = 86_400_000;
type Value = string | number | boolean | Date | null;

function typed(raw: unknown, type: PropertyType): Value {
  if (type === "STRING") return typeof raw === "string" ? raw : null;
  if (type === "NUMBER") return typeof raw === "number" ? raw : null;
  if (type === "BOOLEAN") return typeof raw === "boolean" ? raw : null;
  if (typeof raw !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(raw)) return null;
  const time = Date.parse(raw);
  return Number.isNaN(time) ? null : new Date(time);
}

const asNumber = (value: Value | undefined): number =>
  value instanceof Date
    ? value.getTime()
    : typeof value === "string" && /^\d{4}-/.test(value)
      ? Date.parse(value)
      : Number(value);

function equal(a: Value, b: unknown): boolean {
  if (a instanceof Date) return a.getTime() === Date.parse(String(b));
  return a === b;
}

function monthDay(date: Date): string {
  return date.toISOString().slice(5, 10);
}

function compare(value: Value, type: PropertyType, c: Comparison, now: Date): boolean {
  if (c.op === "NOT_EQUALS") return !(value !== null && equal(value, c.value));
  if (c.op === "NOT_EXISTS") return value === null;
  if (value === null) return false;
  const n = asNumber(value);
  const cmpValue = type === "DATE" ? Date.parse(String(c.value)) : Number(c.value);
  switch (c.op) {
    case "EQUALS":
      return equal(value, c.value);
    case "CONTAINS":
      return String(value).includes(String(c.value));
    case "STARTS_WITH":
      return String(value).startsWith(String(c.value));
    case "GREATER_THAN":
      return n > cmpValue;
    case "LESS_THAN":
      return n < cmpValue;
    case "AT_LEAST":
      return n >= cmpValue;
    case "AT_MOST":
      return n <= cmpValue;
    case "BETWEEN":
      return n >= asNumber(c.min as Value) && n <= asNumber(c.max as Value);
    case "IN":
      return (c.values ?? []).some((v) => equal(value, v));
    case "EXISTS":
      return true;
    case "IN_LAST_DAYS":
      return n >= now.getTime() - (c.days ?? 0) * day && n <= now.getTime();
    case "MORE_THAN_DAYS_AGO":
      return n < now.getTime() - (c.days ?? 0) * day;
    case "ANNIVERSARY_WITHIN_DAYS": {
      const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      const target = monthDay(value as Date);
      for (let i = 0; i <= (c.days ?? 0); i++) {
        const d = new Date(start + i * day);
        const leap = d.getUTCFullYear() % 4 === 0;
        if (monthDay(d) === target || (target === "02-29" && !leap && monthDay(d) === "02-28"))
          return true;
      }
      return false;
    }
  }
  return false;
}

const holds = (
  props: Record<string, unknown>,
  conditions: PropertyCondition[] | undefined,
  now: Date,
) => (conditions ?? []).every((c) => compare(typed(props[c.key], c.type), c.type, c, now));

/** How far back a window reaches, in milliseconds: Infinity for none. */
function reach({ withinDays, withinHours, withinMinutes }: EventWindow): number {
  if (withinDays !== undefined) return withinDays * day;
  if (withinHours !== undefined) return withinHours * 3_600_000;
  if (withinMinutes !== undefined) return withinMinutes * 60_000;
  return Infinity;
}

function eventsOf(
  world: RefWorld,
  contact: RefContact,
  name: string | undefined,
  window: EventWindow = {},
) {
  const since = world.now.getTime() - reach(window);
  return world.events.filter(
    (e) =>
      e.contactId === contact.id &&
      (name === undefined ? !e.name.startsWith("Segment ") : e.name === name) &&
      e.occurredAt.getTime() >= since,
  );
}

/** The contact's orders placed in the window, cancelled ones left out. */
function ordersOf(world: RefWorld, contact: RefContact, window: EventWindow) {
  const since = world.now.getTime() - reach(window);
  return world.orders.filter(
    (o) => o.contactId === contact.id && !o.cancelled && o.orderedAt.getTime() >= since,
  );
}

/** A category or any path under it. */
const inCategory = (category: string | undefined, wanted: string) =>
  category !== undefined && (category === wanted || category.startsWith(`${wanted} > `));

const fieldValues = (c: RefContact): Record<string, Value> => ({
  EMAIL: c.email,
  EXTERNAL_ID: null,
  FIRST_NAME: null,
  LAST_NAME: null,
  PHONE: null,
  LOCALE: null,
  TIMEZONE: null,
  BIRTHDAY: c.birthday,
  CREATED_AT: c.createdAt,
  LAST_SEEN_AT: c.lastSeenAt,
});

/** Whether `contact` matches `filter` in `world`. */
export function referenceMatches(
  filter: SegmentFilter,
  contact: RefContact,
  world: RefWorld,
): boolean {
  const { now } = world;
  if ("and" in filter) return filter.and.every((f) => referenceMatches(f, contact, world));
  if ("or" in filter) return filter.or.some((f) => referenceMatches(f, contact, world));
  if ("not" in filter) return !referenceMatches(filter.not, contact, world);
  if ("field" in filter) {
    const type = ["BIRTHDAY", "CREATED_AT", "LAST_SEEN_AT"].includes(filter.field.name)
      ? "DATE"
      : "STRING";
    return compare(fieldValues(contact)[filter.field.name] ?? null, type, filter.field, now);
  }
  if ("property" in filter) {
    const p = filter.property;
    return compare(typed(contact.properties[p.key], p.type), p.type, p, now);
  }
  if ("tag" in filter) return contact.tags.includes(filter.tag.name) === (filter.tag.has !== false);
  if ("score" in filter) {
    const { min, max } = filter.score;
    return (
      (min === undefined || contact.score >= min) && (max === undefined || contact.score <= max)
    );
  }
  if ("consent" in filter)
    return (filter.consent.statuses as string[]).includes(contact.consentStatus);
  if ("event" in filter) {
    const e = filter.event;
    const count = eventsOf(world, contact, e.name, e).filter((ev) =>
      holds(ev.properties, e.where, now),
    ).length;
    if (e.atMost !== undefined) return count <= e.atMost;
    if (e.exactly !== undefined) return count === e.exactly;
    return count >= (e.atLeast ?? 1);
  }
  if ("eventTime" in filter) {
    const e = filter.eventTime;
    const times = eventsOf(world, contact, e.name)
      .filter((ev) => holds(ev.properties, e.where, now))
      .map((ev) => ev.occurredAt.getTime());
    const time =
      times.length === 0
        ? null
        : new Date(e.which === "FIRST" ? Math.min(...times) : Math.max(...times));
    return compare(time, "DATE", e, now);
  }
  if ("orders" in filter) {
    const o = filter.orders;
    const orders = ordersOf(world, contact, o);
    const paid = orders.filter((order) => order.currency === world.currency);
    const sum = paid.reduce((total, order) => total + order.total - order.refunded, 0);
    const times = orders.map((order) => order.orderedAt.getTime());
    const metric: Record<string, Value> = {
      COUNT: orders.length,
      TOTAL_SPENT: sum,
      AVERAGE_ORDER_VALUE: paid.length ? sum / paid.length : null,
      FIRST_ORDER_AT: times.length ? new Date(Math.min(...times)) : null,
      LAST_ORDER_AT: times.length ? new Date(Math.max(...times)) : null,
    };
    const type = o.metric.endsWith("_AT") ? "DATE" : "NUMBER";
    return compare(metric[o.metric] ?? null, type, o, now);
  }
  if ("purchased" in filter) {
    const p = filter.purchased;
    return ordersOf(world, contact, p).some((order) =>
      order.productIds.some(
        (productId) =>
          (p.productId === undefined || productId === p.productId) &&
          (p.category === undefined || inCategory(world.categories.get(productId), p.category)),
      ),
    );
  }
  const inner = world.segments.get(filter.inSegment.segmentId);
  const member = inner ? referenceMatches(inner, contact, world) : false;
  return member === (filter.inSegment.isMember !== false);
}
