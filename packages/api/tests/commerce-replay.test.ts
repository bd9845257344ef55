import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { abandonIdleCarts } from "../src/domain/orders/abandon-carts.ts";
import {
  type CommerceReplayCursor,
  commerceReplayBatchSize,
  commerceReplayStart,
  replayCommerceHistory,
} from "../src/domain/orders/replay-commerce-history.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { InvalidInputError, NotFoundError } from "../src/domain/shared/errors.ts";
import {
  createFlowTemplate,
  liveScenario,
  messagesTo,
  runsOf,
  track,
} from "./scenario-fixtures.ts";
import { makeContact, makeWorkspace, testNow } from "./segment-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { day, hour, minute, runDueWork } from "./support/scenarios.ts";

/** One stored event of the fixture history; `contact` indexes the workspace's contacts. */
interface HistoryEvent {
  contact: number | null;
  anonymousId?: string;
  name: string;
  properties: Record<string, unknown>;
  at: Date;
  fromBrowser?: boolean;
}

const idle = 60;
const base = new Date(testNow.getTime() - 60 * day);
const at = (minutes: number) => new Date(base.getTime() + minutes * minute);
const product = (id: string, price: number, quantity = 1) => ({
  product_id: id,
  name: `Linen ${id}`,
  price,
  quantity,
  image_url: `https://shop.example/${id}.jpg`,
});

/** Two months of a small shop: carts filled, emptied, checked out, bought, refunded, left. */
const history: HistoryEvent[] = [
  {
    contact: 0,
    name: "Product Added",
    properties: { cart_id: "c-ada", ...product("shirt", 20, 2) },
    at: at(0),
  },
  {
    contact: 0,
    name: "Product Added",
    properties: { cart_id: "c-ada", ...product("socks", 5) },
    at: at(1),
  },
  {
    contact: 0,
    name: "Product Removed",
    properties: { cart_id: "c-ada", product_id: "shirt" },
    at: at(2),
  },
  {
    contact: 0,
    name: "Checkout Started",
    properties: {
      cart_id: "c-ada",
      checkout_url: "https://shop.example/checkout/c-ada",
      products: [product("shirt", 19.5), product("socks", 5, 3)],
    },
    at: at(3),
  },
  {
    contact: 0,
    name: "Order Completed",
    properties: {
      order_id: "o-1",
      cart_id: "c-ada",
      total: 34.5,
      currency: "EUR",
      products: [product("shirt", 19.5), product("socks", 5, 3)],
    },
    at: at(5),
  },
  {
    contact: 0,
    name: "Order Shipped",
    properties: { order_id: "o-1", carrier: "DHL" },
    at: at(2 * 24 * 60),
  },
  {
    contact: 0,
    name: "Order Refunded",
    properties: { order_id: "o-1", refund_id: "r-1", refund_amount: 5, reason: "socks" },
    at: at(5 * 24 * 60),
  },
  // An anonymous shopper who later signs in: the cart ends with the contact, idle, abandoned.
  {
    contact: null,
    anonymousId: "anon-bob",
    name: "Product Added",
    properties: { cart_id: "c-bob", ...product("hat", 12.25) },
    at: at(100),
  },
  {
    contact: 1,
    name: "Product Added",
    properties: { cart_id: "c-bob", ...product("scarf", 30) },
    at: at(110),
  },
  {
    contact: 1,
    name: "Cart Viewed",
    properties: { cart_id: "c-bob", cart_url: "https://shop.example/cart" },
    at: at(111),
  },
  // Bought without a cart id: converted by its items.
  {
    contact: 2,
    name: "Product Added",
    properties: { cart_id: "c-cy", ...product("mug", 8) },
    at: at(200),
  },
  {
    contact: 2,
    name: "Order Completed",
    properties: { order_id: "o-2", total: 20, products: [product("mug", 8), product("plate", 12)] },
    at: at(210),
  },
  // The shopper goes on using the bought cart: it stays converted by the order, as it stood then.
  {
    contact: 2,
    name: "Product Added",
    properties: { cart_id: "c-cy", ...product("spoon", 3) },
    at: at(300),
  },
  // A cart id the shop keeps across orders: the first order converts it.
  {
    contact: 1,
    name: "Product Added",
    properties: { cart_id: "c-keep", ...product("tea", 4) },
    at: at(5000),
  },
  {
    contact: 1,
    name: "Order Completed",
    properties: { order_id: "o-6", cart_id: "c-keep", total: 4 },
    at: at(5001),
  },
  {
    contact: 1,
    name: "Product Added",
    properties: { cart_id: "c-keep", ...product("cup", 6) },
    at: at(6000),
  },
  {
    contact: 1,
    name: "Order Completed",
    properties: { order_id: "o-7", cart_id: "c-keep", total: 6 },
    at: at(6001),
  },
  // Bought by its items, then an order naming the same cart: the first order keeps it.
  {
    contact: 2,
    name: "Product Added",
    properties: { cart_id: "c-cy-3", ...product("fork", 2) },
    at: at(7000),
  },
  {
    contact: 2,
    name: "Order Completed",
    properties: { order_id: "o-8", total: 2, products: [product("fork", 2)] },
    at: at(7001),
  },
  {
    contact: 2,
    name: "Order Completed",
    properties: { order_id: "o-9", cart_id: "c-cy-3", total: 2 },
    at: at(7002),
  },
  // A checkout started and left: abandoned.
  {
    contact: 2,
    name: "Product Added",
    properties: { cart_id: "c-cy-2", ...product("bowl", 9) },
    at: at(3000),
  },
  { contact: 2, name: "Checkout Started", properties: { cart_id: "c-cy-2" }, at: at(3001) },
  // An update that arrived before its order; a placeholder cancellation; a browser's order.
  {
    contact: 1,
    name: "Order Updated",
    properties: { order_id: "o-3", status: "paid" },
    at: at(4001),
  },
  {
    contact: 1,
    name: "Order Completed",
    properties: { order_id: "o-3", total: 99, products: [product("coat", 99)] },
    at: at(4000),
  },
  { contact: 1, name: "Order Cancelled", properties: { order_id: "o-5", total: 10 }, at: at(4100) },
  {
    contact: null,
    anonymousId: "anon-x",
    name: "Order Completed",
    properties: { order_id: "o-4", total: 7 },
    at: at(4200),
    fromBrowser: true,
  },
  // Not carts: a numeric cart id, no cart id at all.
  {
    contact: 1,
    name: "Product Added",
    properties: { cart_id: 42, ...product("pin", 1) },
    at: at(4300),
  },
  { contact: 1, name: "Product Added", properties: { ...product("pin", 1) }, at: at(4301) },
];

/** Events of today, not idle yet: they must stay ACTIVE. */
const today: HistoryEvent[] = [
  {
    contact: 1,
    name: "Product Added",
    properties: { cart_id: "c-now", ...product("hat", 12) },
    at: new Date(testNow.getTime() - 10 * minute),
  },
  {
    contact: 0,
    name: "Product Added",
    properties: { cart_id: "c-ada-2", ...product("belt", 15) },
    at: new Date(testNow.getTime() - 5 * minute),
  },
];

async function shopWithContacts() {
  const workspace = await makeWorkspace();
  const contacts = [];
  for (const name of ["ada", "bob", "cy"])
    contacts.push(await makeContact(workspace.id, { email: `${name}@shop.example` }));
  return { workspace, contacts: contacts.map((contact) => contact.id) };
}

/** Stores events directly in `events`, as they were stored before carts and orders existed. */
async function storeHistory(workspaceId: string, contacts: string[], events: HistoryEvent[]) {
  const ids: string[] = [];
  for (const event of events) {
    const row = await db().event.create({
      data: {
        workspaceId,
        contactId: event.contact === null ? null : (contacts[event.contact] as string),
        anonymousId: event.anonymousId ?? null,
        name: event.name,
        properties: event.properties as object,
        occurredAt: event.at,
        messageId: randomUUID(),
        fromBrowser: event.fromBrowser ?? false,
      },
    });
    ids.push(String(row.id));
  }
  return ids;
}

/** Stores events and runs each one's reaction, in arrival order, as the worker does live. */
async function happenLive(workspaceId: string, contacts: string[], events: HistoryEvent[]) {
  for (const event of events) {
    const [id] = await storeHistory(workspaceId, contacts, [event]);
    await reactToEvent(id as string, { now: event.at });
  }
}

async function replayAll(
  workspaceId: string,
  now = testNow,
  from: CommerceReplayCursor | null = commerceReplayStart,
) {
  let cursor = from;
  let steps = 0;
  while (cursor) {
    cursor = (await replayCommerceHistory(workspaceId, cursor, { now, defaultIdleMinutes: idle }))
      .next;
    steps++;
  }
  return steps;
}

/** A workspace's carts and orders with their lines and refunds, ids and bookkeeping times left out. */
async function shopRows(workspaceId: string) {
  const contacts = await db().contact.findMany({ where: { workspaceId } });
  const email = (id: string | null) => contacts.find((contact) => contact.id === id)?.email ?? null;
  const orders = await db().order.findMany({
    where: { workspaceId },
    orderBy: { shopOrderId: "asc" },
    include: {
      lines: { orderBy: { position: "asc" } },
      refunds: { orderBy: { refundKey: "asc" } },
    },
  });
  const carts = await db().cart.findMany({
    where: { workspaceId },
    orderBy: { shopCartId: "asc" },
    include: { lines: { orderBy: { position: "asc" } } },
  });
  const shopOrderId = (id: string | null) =>
    orders.find((order) => order.id === id)?.shopOrderId ?? null;
  const strip = <T extends object>(row: T, keys: string[]) =>
    Object.fromEntries(Object.entries(row).filter(([key]) => !keys.includes(key)));
  const bookkeeping = ["id", "workspaceId", "createdAt", "updatedAt", "orderId", "cartId"];
  return {
    orders: orders.map((order) => ({
      shopOrderId: order.shopOrderId,
      status: order.status,
      verified: order.verified,
      refundedAmount: order.refundedAmount,
      ...strip(order, [...bookkeeping, "contactId", "lines", "refunds"]),
      cartId: order.cartId,
      contact: email(order.contactId),
      lines: order.lines.map((line) => strip(line, bookkeeping)),
      refunds: order.refunds.map((refund) => strip(refund, bookkeeping)),
    })),
    carts: carts.map((cart) => ({
      shopCartId: cart.shopCartId,
      status: cart.status,
      ...strip(cart, [...bookkeeping, "contactId", "convertedOrderId", "abandonedAt", "lines"]),
      contact: email(cart.contactId),
      convertedOrder: shopOrderId(cart.convertedOrderId),
      abandoned: cart.abandonedAt !== null,
      lines: cart.lines.map((line) => strip(line, bookkeeping)),
    })),
  };
}

const rawRows = async (workspaceId: string) => ({
  carts: await db()
    .$queryRaw`SELECT * FROM carts WHERE workspace_id = ${workspaceId}::uuid ORDER BY id`,
  lines: await db()
    .$queryRaw`SELECT * FROM cart_lines WHERE workspace_id = ${workspaceId}::uuid ORDER BY id`,
  // A repeated order write (as a retried live event) stamps `updated_at` and replaces the lines
  // with equal ones under new ids: everything else must stay as it was.
  orders: (
    await db().$queryRaw<Record<string, unknown>[]>`
      SELECT * FROM orders WHERE workspace_id = ${workspaceId}::uuid ORDER BY id`
  ).map(({ updated_at: _stamp, ...order }) => order),
  orderLines: await db().$queryRaw`
    SELECT order_id, position, shop_product_id, shop_variant_id, sku, title, price, quantity, image_url, url
      FROM order_lines WHERE workspace_id = ${workspaceId}::uuid ORDER BY order_id, position`,
  refunds: await db()
    .$queryRaw`SELECT * FROM order_refunds WHERE workspace_id = ${workspaceId}::uuid ORDER BY id`,
});

describe("replaying stored commerce events into carts and orders", () => {
  it("gives the carts, orders, lines and refunds live processing gave for the same events", async () => {
    const live = await shopWithContacts();
    await happenLive(live.workspace.id, live.contacts, [...history, ...today]);
    // The sweep, which ran live every 5 minutes, finds the idle carts (only this workspace has any yet).
    await abandonIdleCarts({ now: testNow, defaultIdleMinutes: idle });

    const replayed = await shopWithContacts();
    await storeHistory(replayed.workspace.id, replayed.contacts, [...history, ...today]);
    expect(await db().cart.count({ where: { workspaceId: replayed.workspace.id } })).toBe(0);
    await replayAll(replayed.workspace.id);

    const expected = await shopRows(live.workspace.id);
    const actual = await shopRows(replayed.workspace.id);
    expect(actual).toEqual(expected);
    // The fixture covers what it means to: each status, both conversions, refunds, a browser order.
    expect(actual.carts.map((cart) => [cart.shopCartId, cart.status, cart.convertedOrder])).toEqual(
      [
        ["c-ada", "CONVERTED", "o-1"],
        ["c-ada-2", "ACTIVE", null],
        ["c-bob", "ABANDONED", null],
        ["c-cy", "CONVERTED", "o-2"],
        ["c-cy-2", "ABANDONED", null],
        ["c-cy-3", "CONVERTED", "o-8"],
        ["c-keep", "CONVERTED", "o-6"],
        ["c-now", "ACTIVE", null],
      ],
    );
    expect(actual.orders.map((order) => [order.shopOrderId, order.status, order.verified])).toEqual(
      [
        ["o-1", "PARTIALLY_REFUNDED", true],
        ["o-2", "PLACED", true],
        ["o-3", "PAID", true],
        ["o-4", "PLACED", false],
        ["o-5", "CANCELLED", true],
        ["o-6", "PLACED", true],
        ["o-7", "PLACED", true],
        ["o-8", "PLACED", true],
        ["o-9", "PLACED", true],
      ],
    );
    expect(actual.orders[0]?.refundedAmount).toBe(500n);
    // cy went on using the cart bought by its items: converted as it stood when the order came.
    expect(actual.carts.find((cart) => cart.shopCartId === "c-cy")?.lines).toHaveLength(2);

    // Abandoned when the sweep would have found them; created when their first event happened.
    const bob = await db().cart.findUniqueOrThrow({
      where: {
        workspaceId_shopCartId: { workspaceId: replayed.workspace.id, shopCartId: "c-bob" },
      },
    });
    expect(bob.abandonedAt).toEqual(new Date(at(111).getTime() + idle * minute));
    expect(bob.createdAt).toEqual(at(100));
  });

  it("changes nothing when run again, and ends the same beside live events for the same carts", async () => {
    // After buying, cy adds to the cart bought by its items; it arrives while the history is replayed.
    const more: HistoryEvent = {
      contact: 2,
      name: "Product Added",
      properties: { cart_id: "c-cy", ...product("bowl", 9) },
      at: new Date(testNow.getTime() - 20 * minute),
    };
    const live = await shopWithContacts();
    await happenLive(live.workspace.id, live.contacts, [...history, more, ...today]);
    await abandonIdleCarts({ now: testNow, defaultIdleMinutes: idle });

    const replayed = await shopWithContacts();
    await storeHistory(replayed.workspace.id, replayed.contacts, history);
    const options = { now: testNow, defaultIdleMinutes: idle };
    const carts = await replayCommerceHistory(replayed.workspace.id, commerceReplayStart, options);
    expect(carts.next).toEqual({ phase: "orders", afterEventId: "0" });
    await happenLive(replayed.workspace.id, replayed.contacts, [more]);
    // Today's events are handled while the rest of the history is replayed.
    await Promise.all([
      replayAll(replayed.workspace.id, testNow, carts.next),
      happenLive(replayed.workspace.id, replayed.contacts, today),
    ]);
    const rows = await shopRows(replayed.workspace.id);
    expect(rows).toEqual(await shopRows(live.workspace.id));
    expect(rows.carts.find((cart) => cart.shopCartId === "c-cy")).toMatchObject({
      status: "CONVERTED",
      convertedOrder: "o-2",
      lines: [{ shopProductId: "mug" }, { shopProductId: "spoon" }, { shopProductId: "bowl" }],
    });

    const before = await rawRows(replayed.workspace.id);
    await replayAll(replayed.workspace.id);
    expect(await rawRows(replayed.workspace.id)).toEqual(before);
  });

  it("resumes from a cursor after a partial run without duplicates, batch by batch", async () => {
    const { workspace, contacts } = await shopWithContacts();
    const carts = 2 * commerceReplayBatchSize + 30;
    const events: HistoryEvent[] = [];
    for (let i = 0; i < carts; i++) {
      const cart = `cart-${String(i).padStart(4, "0")}`;
      events.push(
        {
          contact: i % 3,
          name: "Product Added",
          properties: { cart_id: cart, ...product("shirt", 20, 2) },
          at: at(i),
        },
        {
          contact: i % 3,
          name: "Product Added",
          properties: { cart_id: cart, ...product(`p${i}`, 5) },
          at: at(i + 1),
        },
      );
      // Every other cart is bought by its id: more order events than a batch.
      if (i % 2 === 0)
        events.push({
          contact: i % 3,
          name: "Order Completed",
          properties: {
            order_id: `order-${i}`,
            cart_id: cart,
            total: 45,
            products: [product("shirt", 20, 2)],
          },
          at: at(i + 2),
        });
    }
    // Event ids cross from 4 to 5 digits among the orders: the cursor must follow numbers, not text.
    await db().$executeRaw`SELECT setval(pg_get_serial_sequence('events', 'id'), ${10_000 - 1300})`;
    await db().event.createMany({
      data: events.map((event) => ({
        workspaceId: workspace.id,
        contactId: event.contact === null ? null : (contacts[event.contact] as string),
        name: event.name,
        properties: event.properties as object,
        occurredAt: event.at,
        messageId: randomUUID(),
      })),
    });
    const options = { now: testNow, defaultIdleMinutes: idle };
    const first = await replayCommerceHistory(workspace.id, commerceReplayStart, options);
    expect(first).toMatchObject({
      carts: commerceReplayBatchSize,
      next: { phase: "carts", afterCartId: "cart-0499" },
    });
    expect(await db().cart.count({ where: { workspaceId: workspace.id } })).toBe(
      commerceReplayBatchSize,
    );
    // The worker died before it queued the next batch: the first batch runs again, then the rest.
    expect((await replayCommerceHistory(workspace.id, commerceReplayStart, options)).next).toEqual(
      first.next,
    );
    const second = await replayCommerceHistory(workspace.id, first.next, options);
    expect(second).toMatchObject({
      carts: 500,
      next: { phase: "carts", afterCartId: "cart-0999" },
    });
    const third = await replayCommerceHistory(workspace.id, second.next, options);
    expect(third).toMatchObject({ carts: 30, next: { phase: "orders", afterEventId: "0" } });
    const orders = await replayCommerceHistory(workspace.id, third.next, options);
    expect(orders).toMatchObject({
      orderEvents: commerceReplayBatchSize,
      next: { phase: "orders" },
    });
    // Again from the start of the orders: nothing doubles.
    expect((await replayCommerceHistory(workspace.id, third.next, options)).next).toEqual(
      orders.next,
    );
    const rest = await replayCommerceHistory(workspace.id, orders.next, options);
    expect(rest).toMatchObject({ orderEvents: carts / 2 - 500, next: { phase: "abandon" } });
    const done = await replayCommerceHistory(workspace.id, rest.next, options);
    expect(done).toMatchObject({ abandoned: Math.floor(carts / 2), next: null });

    const [counts] = await db().$queryRaw<Record<string, number>[]>`
      SELECT (SELECT count(*)::int FROM carts WHERE workspace_id = ${workspace.id}::uuid) AS carts,
             (SELECT count(DISTINCT shop_cart_id)::int FROM carts WHERE workspace_id = ${workspace.id}::uuid) AS distinct_carts,
             (SELECT count(*)::int FROM cart_lines WHERE workspace_id = ${workspace.id}::uuid) AS cart_lines,
             (SELECT count(*)::int FROM orders WHERE workspace_id = ${workspace.id}::uuid) AS orders,
             (SELECT count(*)::int FROM order_lines WHERE workspace_id = ${workspace.id}::uuid) AS order_lines,
             (SELECT count(*)::int FROM carts WHERE workspace_id = ${workspace.id}::uuid AND status = 'CONVERTED') AS converted,
             (SELECT count(*)::int FROM carts WHERE workspace_id = ${workspace.id}::uuid AND status = 'ABANDONED') AS abandoned`;
    expect(counts).toEqual({
      carts,
      distinct_carts: carts,
      cart_lines: 2 * carts,
      orders: Math.ceil(carts / 2),
      order_lines: Math.ceil(carts / 2),
      converted: Math.ceil(carts / 2),
      abandoned: Math.floor(carts / 2),
    });
  });

  it("leaves other workspaces' events, carts and orders alone", async () => {
    const mine = await shopWithContacts();
    const theirs = await shopWithContacts();
    await storeHistory(mine.workspace.id, mine.contacts, history);
    await storeHistory(theirs.workspace.id, theirs.contacts, history);
    await happenLive(theirs.workspace.id, theirs.contacts, today);
    const before = await rawRows(theirs.workspace.id);
    await replayAll(mine.workspace.id);
    expect(await db().cart.count({ where: { workspaceId: mine.workspace.id } })).toBe(6);
    expect(await rawRows(theirs.workspace.id)).toEqual(before);
    expect((before.carts as unknown[]).length).toBe(2);
  });

  it("refuses an unknown workspace and a bad cursor with typed errors, changing nothing", async () => {
    const { workspace, contacts } = await shopWithContacts();
    await storeHistory(workspace.id, contacts, history);
    await expect(replayCommerceHistory(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    await expect(replayCommerceHistory("not-a-workspace")).rejects.toBeInstanceOf(NotFoundError);
    for (const cursor of [
      "carts:",
      { phase: "carts" },
      { phase: "orders", afterEventId: "12abc" },
      { phase: "orders", afterEventId: "-1" },
      { phase: "refunds" },
      { phase: "abandon", extra: true },
    ]) {
      const refused = await replayCommerceHistory(workspace.id, cursor).catch((error) => error);
      expect(refused, JSON.stringify(cursor)).toBeInstanceOf(InvalidInputError);
      expect(refused.problems[0].path[0]).toBe("cursor");
    }
    expect(await db().cart.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });
});

describe("a replay has no outward side effects", () => {
  const cartReminder = (templateId: string) => ({
    trigger: { kind: "event", event: "Product Added" },
    entityKey: "cart_id",
    entry: { rule: "once_per_entity" },
    start: "wait-1h",
    nodes: [
      { id: "wait-1h", kind: "delay", duration: { hours: 1 }, next: "still-in-cart" },
      { id: "still-in-cart", kind: "condition", fact: { kind: "cart_has_items" }, yes: "reminder" },
      { id: "reminder", kind: "send_email", templateId },
    ],
  });

  it("never starts the abandoned-cart scenario or mails anybody about a months-old cart", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Your cart");
    const scenario = await liveScenario(workspace.id, cartReminder(template.id));
    const ada = await createMailContact(workspace.id);
    const bob = await createMailContact(workspace.id);
    const now = new Date("2026-11-20T10:00:00.000Z");
    const old = new Date(now.getTime() - 90 * day);
    await storeHistory(
      workspace.id,
      [ada.id],
      [
        {
          contact: 0,
          name: "Product Added",
          properties: { cart_id: "old-cart", ...product("shirt", 40) },
          at: old,
        },
        {
          contact: 0,
          name: "Product Added",
          properties: { cart_id: "old-cart", ...product("mug", 8) },
          at: new Date(old.getTime() + minute),
        },
        {
          contact: 0,
          name: "Checkout Started",
          properties: { cart_id: "old-cart" },
          at: new Date(old.getTime() + 2 * minute),
        },
      ],
    );
    const eventsBefore = await db().event.count({ where: { workspaceId: workspace.id } });
    const scoreOf = async (contactId: string) =>
      (await db().contact.findFirstOrThrow({ where: { id: contactId } })).score;
    const scoreBefore = await scoreOf(ada.id);

    const [marker] = await db().$queryRaw<{ since: Date }[]>`SELECT clock_timestamp() AS since`;
    await replayAll(workspace.id, now);
    const cart = await db().cart.findUniqueOrThrow({
      where: { workspaceId_shopCartId: { workspaceId: workspace.id, shopCartId: "old-cart" } },
      include: { lines: true },
    });
    expect(cart).toMatchObject({ status: "ABANDONED", contactId: ada.id });
    expect(cart.lines).toHaveLength(2);
    // Only the recommendation rebuild was queued: no reactions, sends or scenario steps.
    const jobs = await db().$queryRaw<{ task: string }[]>`
      SELECT t.identifier AS task FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE j.created_at >= ${marker?.since}::timestamptz`;
    expect(jobs.map((job) => job.task)).toEqual(["rebuild_recommendations"]);

    // Days pass with the worker doing its rounds: still nobody is mailed about the old cart.
    await runDueWork(new Date(now.getTime() + hour));
    await abandonIdleCarts({ now: new Date(now.getTime() + 2 * hour), defaultIdleMinutes: idle });
    await runDueWork(new Date(now.getTime() + 3 * day));
    expect(await runsOf(scenario.id)).toEqual([]);
    expect(await messagesTo(ada.id)).toEqual([]);
    expect(await db().event.count({ where: { workspaceId: workspace.id } })).toBe(eventsBefore);
    expect(await scoreOf(ada.id)).toBe(scoreBefore);

    // The same scenario does mail a live cart: the check above could have failed.
    const later = new Date(now.getTime() + 3 * day);
    await track(workspace.id, bob.email as string, later, {
      name: "Product Added",
      properties: { cart_id: "new-cart", ...product("shirt", 40) },
    });
    await runDueWork(later);
    await runDueWork(new Date(later.getTime() + 2 * hour));
    expect(await runsOf(scenario.id)).toHaveLength(1);
    expect(await messagesTo(bob.id)).toHaveLength(1);
    expect(await messagesTo(ada.id)).toEqual([]);
  });
});
