import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { createTestShop, postBatch, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { makeClock, minute, runQueuedReactions } from "./support/scenarios.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;
let other: Awaited<ReturnType<typeof createTestShop>>;
const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));

beforeEach(async () => {
  shop = await createTestShop(api);
  other = await createTestShop(api);
});

/** Sends a storefront batch and handles its reactions, as the worker would. */
async function send(batch: Record<string, unknown>[], writeKey = shop.publicKey) {
  const response = await postBatch(api.app, { writeKey, batch });
  expect(response.status).toBe(200);
  expect(response.body.rejected).toEqual([]);
  while ((await runQueuedReactions(clock.now())) > 0);
}

const cartEvent = (event: string, properties: Record<string, unknown>, extra = {}) =>
  wireEvent({
    event,
    anonymousId: "browser-1",
    properties: { currency: "EUR", ...properties },
    timestamp: clock.advance(minute).toISOString(),
    ...extra,
  });

const cartFields = `id cartId status currency total { amount currency }
  contact { email } checkoutUrl lastActivityAt convertedOrder { orderId }
  lines { productId quantity price { amount } product { title price { amount } inStock } }`;

describe("carts in GraphQL", () => {
  it("keeps an anonymous shopper's cart through identifying at checkout, then shows its conversion", async () => {
    await send([
      cartEvent("Product Viewed", { product_id: "hat", name: "Hat", price: 12 }),
      cartEvent("Product Added", { cart_id: "c-1", product_id: "shirt", name: "Shirt", price: 20 }),
      cartEvent("Product Added", {
        cart_id: "c-1",
        product_id: "mug",
        name: "Mug",
        price: 8,
        quantity: 2,
      }),
    ]);
    const anonymous = await api.data(
      `{ cartByShopId(cartId: "c-1") { ${cartFields} } }`,
      {},
      shop.secretKey,
    );
    expect(anonymous.cartByShopId).toMatchObject({
      cartId: "c-1",
      status: "ACTIVE",
      contact: null,
      total: { amount: "36.00", currency: "EUR" },
    });

    // At checkout the shopper identifies; the same browser goes on with the same cart.
    await send([
      wireEvent({
        type: "identify",
        event: undefined,
        anonymousId: "browser-1",
        userId: "ada@example.com",
        timestamp: clock.advance(minute).toISOString(),
      }),
    ]);
    // The anonymous events are attached to Ada and handled again: the cart follows her.
    const identified = await api.data(
      `{ cartByShopId(cartId: "c-1") { contact { email } lines { productId quantity } } }`,
      {},
      shop.secretKey,
    );
    expect(identified.cartByShopId).toEqual({
      contact: { email: "ada@example.com" },
      lines: [
        { productId: "shirt", quantity: 1 },
        { productId: "mug", quantity: 2 },
      ],
    });
    await send([
      cartEvent(
        "Checkout Started",
        { cart_id: "c-1", checkout_url: "https://shop.example/checkout" },
        { userId: "ada@example.com" },
      ),
    ]);
    await upsertProducts(shop.id, [
      { productId: "shirt", title: "Linen shirt", price: 18, currency: "EUR", inStock: false },
    ]);
    const { cartByShopId: cart } = await api.data(
      `{ cartByShopId(cartId: "c-1") { ${cartFields} } }`,
      {},
      shop.secretKey,
    );
    expect(cart).toMatchObject({
      status: "CHECKOUT_STARTED",
      contact: { email: "ada@example.com" },
      checkoutUrl: "https://shop.example/checkout",
      convertedOrder: null,
      lines: [
        {
          productId: "shirt",
          quantity: 1,
          price: { amount: "20.00" },
          product: { title: "Linen shirt", price: { amount: "18.00" }, inStock: false },
        },
        { productId: "mug", quantity: 2, price: { amount: "8.00" }, product: { title: "Mug" } },
      ],
    });

    await send([
      cartEvent(
        "Order Completed",
        { cart_id: "c-1", order_id: "o-1", total: 36 },
        { userId: "ada@example.com" },
      ),
    ]);
    const { contact } = await api
      .data(`{ contacts(first: 1) { edges { node { id } } } }`, {}, shop.secretKey)
      .then(async ({ contacts }) =>
        api.data(
          `query($id: ID!) { contact: node(id: $id) { ... on Contact {
          carts { totalCount edges { node { cartId status convertedOrder { orderId } } } }
          productFacts { lastAddedToCart { productId product { title } } lastBought { productId } lastViewed { productId } }
        } } }`,
          { id: contacts.edges[0].node.id },
          shop.secretKey,
        ),
      );
    expect(contact.carts).toEqual({
      totalCount: 1,
      edges: [{ node: { cartId: "c-1", status: "CONVERTED", convertedOrder: { orderId: "o-1" } } }],
    });
    expect(contact.productFacts).toEqual({
      lastAddedToCart: { productId: "mug", product: { title: "Mug" } },
      lastBought: null, // the order event listed no products
      lastViewed: { productId: "hat" },
    });

    // cart(id) and node(id) find it by its global id.
    const byId = await api.data(
      `query($id: ID!) { cart(id: $id) { cartId } node(id: $id) { ... on Cart { status } } }`,
      { id: cart.id },
      shop.secretKey,
    );
    expect(byId).toEqual({ cart: { cartId: "c-1" }, node: { status: "CONVERTED" } });
  });

  it("filters carts by status, contact and update time, newest first", async () => {
    await send([
      cartEvent("Product Added", { cart_id: "a", product_id: "p" }, { userId: "ada@example.com" }),
      cartEvent("Product Added", { cart_id: "b", product_id: "p" }, { userId: "bob@example.com" }),
      cartEvent("Checkout Started", { cart_id: "b" }, { userId: "bob@example.com" }),
    ]);
    const carts = async (filter: Record<string, unknown>) =>
      (
        await api.data(
          `query($filter: CartFilter) { carts(filter: $filter) { totalCount edges { node { cartId contact { id } } } } }`,
          { filter },
          shop.secretKey,
        )
      ).carts;
    const all = await carts({});
    expect(all.edges.map((edge: any) => edge.node.cartId)).toEqual(["b", "a"]);
    expect((await carts({ status: ["CHECKOUT_STARTED"] })).totalCount).toBe(1);
    const adaId = all.edges[1].node.contact.id;
    expect((await carts({ contactId: adaId })).edges).toEqual([
      { node: { cartId: "a", contact: { id: adaId } } },
    ]);
    expect((await carts({ contactId: "not-an-id" })).totalCount).toBe(0);
    expect(
      (await carts({ updatedAt: { min: "2000-01-01T00:00:00Z", max: "2001-01-01T00:00:00Z" } }))
        .totalCount,
    ).toBe(0);
  });

  it("refuses keys without orders:read and shows one workspace's carts to no other", async () => {
    await send([
      cartEvent(
        "Product Added",
        { cart_id: "mine", product_id: "p" },
        { userId: "ada@example.com" },
      ),
    ]);
    await send([cartEvent("Product Added", { cart_id: "mine", product_id: "q" })], other.publicKey);
    const { cartByShopId } = await api.data(
      `{ cartByShopId(cartId: "mine") { id lines { productId } } }`,
      {},
      shop.secretKey,
    );
    expect(cartByShopId.lines).toEqual([{ productId: "p" }]);
    const seen = await api.data(
      `query($id: ID!) { cart(id: $id) { id } node(id: $id) { id } carts { totalCount edges { node { lines { productId } } } } }`,
      { id: cartByShopId.id },
      other.secretKey,
    );
    expect(seen).toEqual({
      cart: null,
      node: null,
      carts: { totalCount: 1, edges: [{ node: { lines: [{ productId: "q" }] } }] },
    });

    const contactsOnly = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    for (const key of [shop.publicKey, contactsOnly.key]) {
      const refused = await api.request(`{ carts { totalCount } }`, {}, key);
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const facts = await api.request(
      `{ contacts { edges { node { productFacts { lastViewed { productId } } } } } }`,
      {},
      contactsOnly.key,
    );
    expect(facts.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("no N+1 queries for carts", () => {
  const originalQuery = pg.Client.prototype.query;
  let recorded: string[] | undefined;
  beforeEach(() => {
    pg.Client.prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      const text = typeof config === "string" ? config : config?.text;
      if (recorded && text && !/^(BEGIN|COMMIT|ROLLBACK)/.test(text)) recorded.push(text);
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  });
  afterEach(() => {
    pg.Client.prototype.query = originalQuery;
  });

  it("lists carts with lines, products, contacts and orders in as many queries for 2 carts as for 12", async () => {
    const listing = `{ carts(first: 50) { totalCount edges { node { ${cartFields} } } } }`;
    const count = async () => {
      recorded = [];
      await api.data(listing, {}, shop.secretKey);
      const issued = recorded.filter((text) => !text.includes("api_keys"));
      recorded = undefined;
      return issued.length;
    };
    const carts = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, index) =>
        cartEvent(
          "Product Added",
          { cart_id: `n-${from + index}`, product_id: `p-${(from + index) % 3}`, price: 5 },
          { userId: `shopper-${from + index}@example.com` },
        ),
      );
    await send(carts(0, 2));
    const few = await count();
    await send(carts(2, 12));
    expect(await count()).toBe(few);
    // Prisma loads each relation level in a statement of its own (carts, their lines, the lines'
    // cart currency, contacts, converted orders), then the count and one products lookup.
    expect(few).toBeLessThanOrEqual(7);
  });
});
