import fc from "fast-check";
import { expect, it } from "vitest";
import { db, withTransaction } from "../src/db.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import type { PropertyCondition, SegmentFilter } from "../src/domain/conditions/filter.ts";
import { parseSegmentFilter } from "../src/domain/conditions/parse/parse-filter.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { recordShoppingFacts } from "../src/domain/reactions/record-shopping-facts.ts";
import { previewSegment } from "../src/domain/segments/preview.ts";
import { refreshSegment } from "../src/domain/segments/refresh.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { makeContact, makeWorkspace, memberIds, storeEvent } from "./segment-fixtures.ts";
import {
  type RefContact,
  type RefEvent,
  type RefOrder,
  type RefWorld,
  referenceMatches,
} from "./segment-reference.ts";
import { runQueuedReactions } from "./support/scenarios.ts";

/*
 * Random contacts, events, orders pushed by the backend (refunded, cancelled, in another
 * currency) and filters: the compiled full query, the incremental updates made as each event
 * is processed and each order batch's queued upkeep runs, and the in-memory reference
 * evaluator must name the same members. Times sit a quarter day off whole days so no value lands on a window's edge while
 * the test runs (nor on the hour and minute windows' edges: none is 6 hours off a whole day).
 */
const day = 86_400_000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - (days + 0.25) * day);

const plans = ["pro", "free", "team"];
const eventNames = ["Page Viewed", "Product Added", "Order Completed", "Email Opened"];
const windowDays = fc.integer({ min: 1, max: 20 });
/** An event window in days, hours or minutes, or none. */
const windowArb = fc.option(
  fc.oneof(
    windowDays.map((withinDays) => ({ withinDays })),
    fc.constantFrom(3, 9, 20, 40, 100).map((withinHours) => ({ withinHours })),
    fc.constantFrom(30, 400, 2000).map((withinMinutes) => ({ withinMinutes })),
  ),
  { nil: undefined },
);

const contactArb = fc.record({
  plan: fc.option(fc.oneof(fc.constantFrom(...plans), fc.constant(5)), { nil: undefined }),
  age: fc.option(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant("old")), { nil: undefined }),
  signedUp: fc.option(
    fc.oneof(
      fc.integer({ min: 0, max: 60 }).map((d) => ago(d).toISOString()),
      fc.constant("bogus"),
    ),
    { nil: undefined },
  ),
  score: fc.integer({ min: -20, max: 120 }),
  consent: fc.constantFrom<"UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED">(
    "UNKNOWN",
    "PENDING",
    "SUBSCRIBED",
    "UNSUBSCRIBED",
  ),
  tags: fc.subarray(["vip", "new", "churn"]),
  birthdayIn: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
  createdDaysAgo: fc.integer({ min: 0, max: 90 }),
  seenDaysAgo: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
});

/** The workspace's catalog: products with category paths, some under others. */
const categories = new Map([
  ["p1", "Women > Shirts"],
  ["p2", "Women"],
  ["p3", "Men > Shirts"],
]);
const currency = "EUR";

/** An order the shop's backend pushes through upsertOrders. */
const apiOrderArb = (contacts: number) =>
  fc.record({
    contact: fc.integer({ min: 0, max: contacts - 1 }),
    daysAgo: fc.integer({ min: 0, max: 25 }),
    total: fc.integer({ min: 0, max: 6 }).map((n) => n * 50),
    refund: fc.constantFrom(0, 0, 25, "all" as const),
    cancelled: fc.constantFrom(false, false, false, true),
    currency: fc.constantFrom(currency, currency, "USD"),
    product: fc.constantFrom("p1", "p2", "p3"),
  });

const eventArb = (contacts: number) =>
  fc.record({
    contact: fc.integer({ min: 0, max: contacts - 1 }),
    name: fc.constantFrom(...eventNames),
    daysAgo: fc.integer({ min: 0, max: 25 }),
    path: fc.constantFrom("/pricing", "/pricing/pro", "/blog"),
    total: fc.option(
      fc.integer({ min: 0, max: 6 }).map((n) => n * 50),
      { nil: undefined },
    ),
    product: fc.constantFrom("p1", "p2", "p3"),
  });

const whereArb: fc.Arbitrary<PropertyCondition[]> = fc.oneof(
  fc.constant([]),
  fc
    .constantFrom("/pricing", "/blog")
    .map((value) => [{ key: "path", type: "STRING" as const, op: "STARTS_WITH" as const, value }]),
);

const leafArb: fc.Arbitrary<SegmentFilter> = fc.oneof(
  fc
    .record({
      op: fc.constantFrom("EQUALS", "NOT_EQUALS", "STARTS_WITH", "CONTAINS" as const),
      value: fc.constantFrom("pro", "fr", "team", "e"),
    })
    .map((c) => ({ property: { key: "plan", type: "STRING", ...c } })),
  fc
    .constantFrom("EXISTS", "NOT_EXISTS" as const)
    .map((op) => ({ property: { key: "plan", type: "STRING", op } })),
  fc
    .subarray(plans, { minLength: 1 })
    .map((values) => ({ property: { key: "plan", type: "STRING", op: "IN", values } })),
  fc
    .record({
      op: fc.constantFrom("GREATER_THAN", "LESS_THAN", "AT_LEAST", "AT_MOST", "EQUALS" as const),
      value: fc.integer({ min: 0, max: 8 }),
    })
    .map((c) => ({ property: { key: "age", type: "NUMBER", ...c } })),
  fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })).map(([a, b]) => ({
    property: {
      key: "age",
      type: "NUMBER",
      op: "BETWEEN",
      min: Math.min(a, b),
      max: Math.max(a, b),
    },
  })),
  fc
    .record({
      op: fc.constantFrom("IN_LAST_DAYS", "MORE_THAN_DAYS_AGO" as const),
      days: windowDays,
    })
    .map((c) => ({ property: { key: "signedUp", type: "DATE", ...c } })),
  windowDays.map((days) => ({
    property: {
      key: "signedUp",
      type: "DATE",
      op: "GREATER_THAN",
      value: new Date(now.getTime() - (days + 0.5) * day).toISOString(),
    },
  })),
  fc
    .record({
      name: fc.constantFrom("CREATED_AT", "LAST_SEEN_AT" as const),
      op: fc.constantFrom("IN_LAST_DAYS", "MORE_THAN_DAYS_AGO" as const),
      days: windowDays,
    })
    .map((c) => ({ field: c })),
  fc
    .integer({ min: 1, max: 15 })
    .map((days) => ({ field: { name: "BIRTHDAY", op: "ANNIVERSARY_WITHIN_DAYS", days } })),
  fc
    .record({ name: fc.constantFrom("vip", "new", "churn"), has: fc.boolean() })
    .map((tag) => ({ tag })),
  fc
    .record({ min: fc.integer({ min: -20, max: 60 }), width: fc.integer({ min: 0, max: 80 }) })
    .map(({ min, width }) => ({ score: { min, max: min + width } })),
  fc
    .subarray(["UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"] as const, { minLength: 1 })
    .map((statuses) => ({ consent: { statuses: [...statuses] } })),
  fc
    .record({
      name: fc.option(fc.constantFrom(...eventNames), { nil: undefined }),
      count: fc.constantFrom("atLeast", "atMost", "exactly"),
      n: fc.integer({ min: 0, max: 3 }),
      window: windowArb,
      where: whereArb,
    })
    .map(({ name, count, n, window, where }) => ({
      event: {
        ...(name && { name }),
        [count]: count === "atLeast" ? Math.max(1, n) : n,
        ...window,
        ...(where.length && name === "Page Viewed" && { where }),
      },
    })),
  fc
    .record({
      name: fc.constantFrom(...eventNames),
      which: fc.constantFrom("FIRST", "LAST" as const),
      op: fc.constantFrom("IN_LAST_DAYS", "MORE_THAN_DAYS_AGO", "NOT_EXISTS" as const),
      days: windowDays,
    })
    .map(({ op, days, ...rest }) => ({
      eventTime: { ...rest, op, ...(op !== "NOT_EXISTS" && { days }) },
    })),
  fc
    .record({
      metric: fc.constantFrom("COUNT", "TOTAL_SPENT" as const),
      op: fc.constantFrom("EQUALS", "AT_LEAST", "LESS_THAN", "NOT_EQUALS" as const),
      value: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ metric, op, value }) => ({
      orders: { metric, op, value: metric === "TOTAL_SPENT" ? value * 150 : value },
    })),
  fc
    .record({
      op: fc.constantFrom("GREATER_THAN", "LESS_THAN", "NOT_EXISTS" as const),
      value: fc.integer({ min: 0, max: 6 }).map((n) => n * 50),
      window: windowArb,
    })
    .map(({ op, value, window }) => ({
      orders: {
        metric: "AVERAGE_ORDER_VALUE",
        op,
        ...(op !== "NOT_EXISTS" && { value: value + 0.5 }),
        ...window,
      },
    })),
  fc
    .record({
      metric: fc.constantFrom("FIRST_ORDER_AT", "LAST_ORDER_AT" as const),
      op: fc.constantFrom("IN_LAST_DAYS", "MORE_THAN_DAYS_AGO" as const),
      days: windowDays,
    })
    .map((c) => ({ orders: c })),
  fc
    .record({
      productId: fc.option(fc.constantFrom("p1", "p2", "p3"), { nil: undefined }),
      category: fc.constantFrom("Women", "Women > Shirts", "Men", "Shirts"),
      window: windowArb,
    })
    .map(({ productId, category, window }) => ({
      purchased: { ...(productId && { productId }), category, ...window },
    })),
) as fc.Arbitrary<SegmentFilter>;

const filterArb: fc.Arbitrary<SegmentFilter> = fc.letrec<{ node: SegmentFilter }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: leafArb, weight: 3 },
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie("node").map((not) => ({ not })),
  ),
})).node;

const worldArb = (filters: number) =>
  fc.array(contactArb, { minLength: 2, maxLength: 5 }).chain((contacts) =>
    fc.record({
      contacts: fc.constant(contacts),
      events: fc.array(eventArb(contacts.length), { maxLength: 30 }),
      orders: fc.array(apiOrderArb(contacts.length), { maxLength: 8 }),
      filters: fc.array(filterArb, { minLength: filters, maxLength: filters }),
    }),
  );

async function seedContacts(
  workspaceId: string,
  contacts: (typeof contactArb extends fc.Arbitrary<infer C> ? C : never)[],
) {
  const refContacts: RefContact[] = [];
  for (const c of contacts) {
    const properties = {
      ...(c.plan !== undefined && { plan: c.plan }),
      ...(c.age !== undefined && { age: c.age }),
      ...(c.signedUp !== undefined && { signedUp: c.signedUp }),
    };
    const birthday =
      c.birthdayIn === undefined
        ? null
        : new Date(Date.UTC(1990, now.getUTCMonth(), now.getUTCDate() + c.birthdayIn));
    const row = await makeContact(workspaceId, {
      properties,
      score: c.score,
      consentStatus: c.consent,
      tags: c.tags,
      birthday,
      createdAt: ago(c.createdDaysAgo),
      lastSeenAt: c.seenDaysAgo === undefined ? null : ago(c.seenDaysAgo),
    });
    refContacts.push({
      id: row.id,
      email: row.email ?? "",
      properties,
      score: c.score,
      consentStatus: c.consent,
      tags: c.tags,
      birthday,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
    });
  }
  return refContacts;
}

/** Stores the events, processing each (scores, segments) as the worker would when `process`. */
async function seedEvents(
  workspaceId: string,
  contacts: RefContact[],
  events: (ReturnType<typeof eventArb> extends fc.Arbitrary<infer E> ? E : never)[],
  process: boolean,
) {
  const refEvents: RefEvent[] = [];
  const refOrders: RefOrder[] = [];
  for (const [index, e] of events.entries()) {
    const contact = contacts[e.contact]!;
    const ordered = e.name === "Order Completed";
    const properties: Record<string, unknown> = ordered
      ? {
          order_id: `event-${index}`,
          ...(e.total !== undefined && { total: e.total }),
          products: [{ product_id: e.product, category: categories.get(e.product) }],
        }
      : { path: e.path };
    const occurredAt = ago(e.daysAgo);
    const id = await storeEvent(workspaceId, contact.id, e.name, properties, occurredAt);
    refEvents.push({ contactId: contact.id, name: e.name, properties, occurredAt });
    if (ordered) {
      refOrders.push({
        contactId: contact.id,
        orderedAt: occurredAt,
        total: e.total ?? 0,
        refunded: 0,
        cancelled: false,
        currency,
        productIds: [e.product],
      });
    }
    if (!process) {
      // Only the order row, as the event's reaction writes it.
      if (ordered) {
        await withTransaction((tx) =>
          recordShoppingFacts(tx, {
            id,
            workspaceId,
            contactId: contact.id,
            name: e.name,
            occurredAt,
            properties,
            fromBrowser: false,
          }),
        );
      }
      continue;
    }
    await reactToEvent(id);
    if (!contact.lastSeenAt || contact.lastSeenAt < occurredAt) contact.lastSeenAt = occurredAt;
  }
  return { refEvents, refOrders };
}

/** Pushes the backend's orders in one upsertOrders batch (and, when `process`, runs its upkeep). */
async function seedApiOrders(
  workspaceId: string,
  contacts: RefContact[],
  orders: (ReturnType<typeof apiOrderArb> extends fc.Arbitrary<infer O> ? O : never)[],
  process: boolean,
): Promise<RefOrder[]> {
  if (orders.length === 0) return [];
  await upsertOrders(
    workspaceId,
    orders.map((o, index) => ({
      orderId: `api-${index}`,
      customer: { email: contacts[o.contact]!.email },
      currency: o.currency,
      total: o.total,
      orderedAt: ago(o.daysAgo),
      lines: [{ productId: o.product, price: o.total }],
      ...(o.cancelled && { status: "CANCELLED" }),
      ...(o.refund !== 0 && {
        refunds: [{ refundId: "r", ...(o.refund !== "all" && { amount: o.refund }) }],
      }),
    })),
  );
  if (process) await runQueuedReactions(now);
  return orders.map((o) => ({
    contactId: contacts[o.contact]!.id,
    orderedAt: ago(o.daysAgo),
    total: o.total,
    refunded: o.refund === "all" ? o.total : Math.min(o.refund, o.total),
    cancelled: o.cancelled,
    currency: o.currency,
    productIds: [o.product],
  }));
}

/** A workspace in EUR with the catalog above. */
async function makeShop() {
  const workspace = await makeWorkspace("Property");
  await db().workspaceEmailSettings.create({ data: { workspaceId: workspace.id, currency } });
  await upsertProducts(
    workspace.id,
    [...categories].map(([productId, category]) => ({ productId, title: productId, category })),
  );
  return workspace;
}

const expectedMembers = (filter: SegmentFilter, world: RefWorld) =>
  world.contacts
    .filter((c) => referenceMatches(filter, c, world))
    .map((c) => c.id)
    .sort();

it("incremental updates after each event end where the compiled query and the reference do", async () => {
  await fc.assert(
    fc.asyncProperty(worldArb(4), async ({ contacts, events, orders, filters }) => {
      const workspace = await makeShop();
      const refContacts = await seedContacts(workspace.id, contacts);
      const segments = [];
      for (const filter of filters) {
        segments.push(await createSegment(workspace.id, { name: "Random", filter }, { now }));
      }
      const { refEvents, refOrders } = await seedEvents(workspace.id, refContacts, events, true);
      const apiOrders = await seedApiOrders(workspace.id, refContacts, orders, true);
      const world = {
        now,
        contacts: refContacts,
        events: refEvents,
        orders: [...refOrders, ...apiOrders],
        categories,
        currency,
        segments: new Map(),
      };
      for (const segment of segments) {
        const expected = expectedMembers(segment.filter as SegmentFilter, world);
        expect(await memberIds(segment.id)).toEqual(expected);
        expect(await refreshSegment(segment.id, { now })).toEqual([]);
      }
      await db().workspace.delete({ where: { id: workspace.id } });
    }),
    { numRuns: 15 },
  );
});

it("the compiled query and the reference agree on many filters over one world", async () => {
  await fc.assert(
    fc.asyncProperty(worldArb(40), async ({ contacts, events, orders, filters }) => {
      const workspace = await makeShop();
      const refContacts = await seedContacts(workspace.id, contacts);
      const { refEvents, refOrders } = await seedEvents(workspace.id, refContacts, events, false);
      const apiOrders = await seedApiOrders(workspace.id, refContacts, orders, false);
      const world = {
        now,
        contacts: refContacts,
        events: refEvents,
        orders: [...refOrders, ...apiOrders],
        categories,
        currency,
        segments: new Map(),
      };
      for (const filter of filters) {
        const preview = await previewSegment(workspace.id, filter, { now, sampleSize: 100 });
        const normalised = parseSegmentFilter(filter);
        expect(preview.sampleContactIds.sort(), JSON.stringify(filter)).toEqual(
          expectedMembers(normalised, world),
        );
      }
      await db().workspace.delete({ where: { id: workspace.id } });
    }),
    { numRuns: 10 },
  );
});
