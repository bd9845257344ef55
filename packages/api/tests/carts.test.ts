import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { abandonIdleCarts } from "../src/domain/orders/abandon-carts.ts";
import { loadCartTemplateData } from "../src/domain/orders/cart-template-data.ts";
import { updateOrderSettings } from "../src/domain/orders/order-settings.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { makeContact, makeWorkspace, storeEvent, testNow } from "./segment-fixtures.ts";

const minute = 60_000;
const at = (minutes: number) => new Date(testNow.getTime() + minutes * minute);

/** Stores an event and runs its reaction, as the worker's process_event does. */
async function happen(
  workspaceId: string,
  contactId: string | null,
  name: string,
  properties: Record<string, unknown>,
  when: Date,
) {
  const id = await storeEvent(workspaceId, contactId, name, properties, when);
  const reaction = await reactToEvent(id, { now: when });
  return { id, reaction };
}

const cartOf = (workspaceId: string, shopCartId: string) =>
  db().cart.findUniqueOrThrow({
    where: { workspaceId_shopCartId: { workspaceId, shopCartId } },
    include: { lines: { orderBy: { position: "asc" } } },
  });
const linesOf = async (workspaceId: string, shopCartId: string) =>
  (await cartOf(workspaceId, shopCartId)).lines.map((line) => [
    line.shopProductId,
    line.quantity,
    line.price,
  ]);

const added = (cart: string, product: string, price: number, quantity = 1) => ({
  cart_id: cart,
  product_id: product,
  name: `Linen ${product}`,
  price,
  quantity,
  currency: "EUR",
  image_url: `https://shop.example/${product}.jpg`,
});

describe("carts from the cart events", () => {
  it("adds, changes quantities, removes, replaces on Cart Viewed and moves to CHECKOUT_STARTED", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const first = await happen(
      workspace.id,
      ada.id,
      "Product Added",
      added("c1", "shirt", 20),
      at(0),
    );
    const cart = await cartOf(workspace.id, "c1");
    expect(first.reaction?.shopping.cartId).toBe(cart.id);
    expect(cart).toMatchObject({ contactId: ada.id, currency: "EUR", status: "ACTIVE" });

    await happen(workspace.id, ada.id, "Product Added", added("c1", "shirt", 19.5, 2), at(1));
    await happen(workspace.id, ada.id, "Product Added", added("c1", "socks", 5), at(2));
    expect(await linesOf(workspace.id, "c1")).toEqual([
      ["shirt", 3, 1950n],
      ["socks", 1, 500n],
    ]);
    await happen(
      workspace.id,
      ada.id,
      "Product Removed",
      { cart_id: "c1", product_id: "shirt", quantity: 2 },
      at(3),
    );
    await happen(
      workspace.id,
      ada.id,
      "Product Removed",
      { cart_id: "c1", product_id: "socks" },
      at(4),
    );
    expect(await linesOf(workspace.id, "c1")).toEqual([["shirt", 1, 1950n]]);

    await happen(
      workspace.id,
      ada.id,
      "Cart Viewed",
      {
        cart_id: "c1",
        currency: "EUR",
        cart_url: "https://shop.example/cart",
        products: [
          { product_id: "shirt", price: 18, quantity: 2 },
          { product_id: "hat", price: 12.25 },
        ],
      },
      at(5),
    );
    expect(await linesOf(workspace.id, "c1")).toEqual([
      ["shirt", 2, 1800n],
      ["hat", 1, 1225n],
    ]);
    await happen(
      workspace.id,
      ada.id,
      "Checkout Started",
      { cart_id: "c1", checkout_url: "https://shop.example/checkout/c1" },
      at(6),
    );
    expect(await cartOf(workspace.id, "c1")).toMatchObject({
      status: "CHECKOUT_STARTED",
      checkoutUrl: "https://shop.example/checkout/c1",
      lastActivityAt: at(6),
      checkoutStartedAt: at(6),
    });
  });

  it("ends in the same cart whatever order the events arrive in, and a repeated event changes nothing", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const events: [string, Record<string, unknown>, Date][] = [
      ["Product Added", added("c1", "shirt", 20, 2), at(0)],
      ["Product Added", added("c1", "socks", 5), at(1)],
      ["Product Removed", { cart_id: "c1", product_id: "shirt" }, at(2)],
    ];
    const ids = [];
    // Arrives last first: each reaction folds whatever has arrived so far.
    for (const [name, properties, when] of [...events].reverse()) {
      ids.push((await happen(workspace.id, ada.id, name, properties, when)).id);
    }
    expect(await linesOf(workspace.id, "c1")).toEqual([
      ["shirt", 1, 2000n],
      ["socks", 1, 500n],
    ]);
    const before = await cartOf(workspace.id, "c1");
    expect(before.lastActivityAt).toEqual(at(2));
    for (const id of ids) {
      const again = await reactToEvent(id, { now: at(10) }); // retried jobs
      expect(again?.shopping.cartId).toBe(before.id);
    }
    const after = await cartOf(workspace.id, "c1");
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(after.lines.map((line) => line.id)).toEqual(before.lines.map((line) => line.id));
  });

  it("ignores cart events without a cart id and keeps each workspace's carts apart", async () => {
    const shopA = await makeWorkspace("A");
    const shopB = await makeWorkspace("B");
    const ada = await makeContact(shopA.id);
    const bob = await makeContact(shopB.id);
    const none = await happen(shopA.id, ada.id, "Product Added", { product_id: "x" }, at(0));
    expect(none.reaction?.shopping.cartId).toBeNull();
    await happen(shopA.id, ada.id, "Product Added", added("same", "shirt", 20), at(0));
    await happen(shopB.id, bob.id, "Product Added", added("same", "mug", 8), at(0));
    expect(await linesOf(shopA.id, "same")).toEqual([["shirt", 1, 2000n]]);
    expect(await linesOf(shopB.id, "same")).toEqual([["mug", 1, 800n]]);

    // B's order naming the same cart id converts B's cart only.
    await happen(
      shopB.id,
      bob.id,
      "Order Completed",
      { order_id: "o1", cart_id: "same", total: 8, currency: "EUR" },
      at(1),
    );
    expect((await cartOf(shopB.id, "same")).status).toBe("CONVERTED");
    expect((await cartOf(shopA.id, "same")).status).toBe("ACTIVE");
    // And B's order with A's items, without a cart id, never reaches A's carts.
    await upsertOrders(
      shopB.id,
      [
        {
          orderId: "o2",
          customer: { email: ada.email },
          total: 20,
          orderedAt: at(2).toISOString(),
          lines: [{ productId: "shirt", price: 20 }],
        },
      ],
      { now: at(2) },
    );
    expect((await cartOf(shopA.id, "same")).status).toBe("ACTIVE");
  });
});

describe("conversion", () => {
  it("converts the cart an order names, from events and from upsertOrders, once", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(workspace.id, ada.id, "Product Added", added("c1", "shirt", 20), at(0));
    await happen(workspace.id, ada.id, "Product Added", added("c2", "mug", 8), at(0));
    const order = await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { order_id: "o1", cart_id: "c1", total: 20, currency: "EUR" },
      at(5),
    );
    const converted = await cartOf(workspace.id, "c1");
    expect(converted).toMatchObject({
      status: "CONVERTED",
      convertedOrderId: order.reaction?.shopping.orderId,
      convertedAt: at(5),
    });
    await reactToEvent(order.id, { now: at(6) }); // a retried job
    expect((await cartOf(workspace.id, "c1")).updatedAt).toEqual(converted.updatedAt);
    // Activity after the order leaves it converted.
    await happen(workspace.id, ada.id, "Product Added", added("c1", "socks", 5), at(7));
    expect((await cartOf(workspace.id, "c1")).status).toBe("CONVERTED");

    const [written] = await upsertOrders(
      workspace.id,
      [
        {
          orderId: "o2",
          customer: { email: ada.email },
          cartId: "c2",
          total: 8,
          orderedAt: at(8).toISOString(),
        },
      ],
      { now: at(8) },
    );
    expect(await cartOf(workspace.id, "c2")).toMatchObject({
      status: "CONVERTED",
      convertedOrderId: written?.id,
    });
  });

  it("converts a cart whose events arrive after the order that names it", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const order = await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { order_id: "o1", cart_id: "late", total: 20 },
      at(5),
    );
    await happen(workspace.id, ada.id, "Product Added", added("late", "shirt", 20), at(0));
    expect(await cartOf(workspace.id, "late")).toMatchObject({
      status: "CONVERTED",
      convertedOrderId: order.reaction?.shopping.orderId,
    });
  });

  it("without a cart id, converts the contact's most recent open cart when the order holds all its items", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(workspace.id, ada.id, "Product Added", added("old", "shirt", 20), at(0));
    await happen(workspace.id, ada.id, "Product Added", added("recent", "shirt", 20), at(10));
    await happen(workspace.id, ada.id, "Product Added", added("recent", "socks", 5), at(11));
    const orderWith = (orderId: string, products: string[], minutes: number) =>
      upsertOrders(
        workspace.id,
        [
          {
            orderId,
            customer: { email: ada.email },
            total: 25,
            orderedAt: at(minutes).toISOString(),
            lines: products.map((productId) => ({ productId, price: 5 })),
          },
        ],
        { now: at(minutes) },
      );
    // Only the shirt: the most recent cart also holds socks, so nothing converts.
    await orderWith("o1", ["shirt"], 20);
    expect((await cartOf(workspace.id, "recent")).status).toBe("ACTIVE");
    expect((await cartOf(workspace.id, "old")).status).toBe("ACTIVE");

    const [o2] = await orderWith("o2", ["shirt", "socks", "hat"], 21);
    expect(await cartOf(workspace.id, "recent")).toMatchObject({
      status: "CONVERTED",
      convertedOrderId: o2?.id,
    });
    // The same order written again converts no second cart.
    await orderWith("o2", ["shirt", "socks", "hat"], 22);
    expect((await cartOf(workspace.id, "old")).status).toBe("ACTIVE");
    // A later order with the shirt converts the next most recent one.
    await orderWith("o3", ["shirt"], 23);
    expect((await cartOf(workspace.id, "old")).status).toBe("CONVERTED");
  });
});

describe("abandonment", () => {
  it("marks idle carts ABANDONED at the injected time, once, and new activity makes them ACTIVE", async () => {
    // Long before the other tests' carts, so the sweeps here (over every workspace) see only these.
    const t = (minutes: number) => at(minutes - 100_000);
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(workspace.id, ada.id, "Product Added", added("idle", "shirt", 20), t(0));
    await happen(workspace.id, ada.id, "Checkout Started", { cart_id: "checkout" }, t(0));
    await happen(workspace.id, ada.id, "Product Added", added("busy", "shirt", 20), t(50));

    expect(await abandonIdleCarts({ now: t(59), defaultIdleMinutes: 60 })).toBe(0);
    expect(await abandonIdleCarts({ now: t(61), defaultIdleMinutes: 60 })).toBe(2);
    expect(await abandonIdleCarts({ now: t(62), defaultIdleMinutes: 60 })).toBe(0);
    expect(await cartOf(workspace.id, "idle")).toMatchObject({
      status: "ABANDONED",
      abandonedAt: t(61),
    });
    expect((await cartOf(workspace.id, "checkout")).status).toBe("ABANDONED");
    expect((await cartOf(workspace.id, "busy")).status).toBe("ACTIVE");

    // An event from before the sweep, arriving late, is not new activity.
    await happen(workspace.id, ada.id, "Product Added", added("idle", "socks", 5), t(30));
    expect((await cartOf(workspace.id, "idle")).status).toBe("ABANDONED");
    // The shopper comes back.
    await happen(workspace.id, ada.id, "Product Added", added("idle", "hat", 9), t(90));
    expect(await cartOf(workspace.id, "idle")).toMatchObject({
      status: "ACTIVE",
      lastActivityAt: t(90),
    });
    expect(await linesOf(workspace.id, "idle")).toEqual([
      ["shirt", 1, 2000n],
      ["socks", 1, 500n],
      ["hat", 1, 900n],
    ]);
    await happen(workspace.id, ada.id, "Checkout Started", { cart_id: "checkout" }, t(95));
    expect((await cartOf(workspace.id, "checkout")).status).toBe("CHECKOUT_STARTED");
    // Converted carts are never abandoned.
    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { order_id: "o1", cart_id: "busy", total: 20 },
      t(96),
    );
    expect(await abandonIdleCarts({ now: t(1000), defaultIdleMinutes: 60 })).toBe(2);
    expect((await cartOf(workspace.id, "busy")).status).toBe("CONVERTED");
  });

  it("takes each workspace's own abandonment time, else the default, and refuses one out of range", async () => {
    const t = (minutes: number) => at(minutes - 200_000);
    const quick = await makeWorkspace();
    const patient = await makeWorkspace();
    const usual = await makeWorkspace();
    await updateOrderSettings(quick.id, { cartAbandonAfterMinutes: 15 });
    expect(await updateOrderSettings(patient.id, { cartAbandonAfterMinutes: 180 })).toMatchObject({
      cartAbandonAfterMinutes: 180,
      countUnverifiedOrders: true,
    });
    for (const workspace of [quick, patient, usual]) {
      const ada = await makeContact(workspace.id);
      await happen(workspace.id, ada.id, "Product Added", added("c", "shirt", 20), t(0));
    }
    expect(await abandonIdleCarts({ now: t(14), defaultIdleMinutes: 60 })).toBe(0);
    expect(await abandonIdleCarts({ now: t(16), defaultIdleMinutes: 60 })).toBe(1);
    expect((await cartOf(quick.id, "c")).status).toBe("ABANDONED");
    expect(await abandonIdleCarts({ now: t(61), defaultIdleMinutes: 60 })).toBe(1);
    expect((await cartOf(usual.id, "c")).status).toBe("ABANDONED");
    expect((await cartOf(patient.id, "c")).status).toBe("ACTIVE");
    expect(await abandonIdleCarts({ now: t(181), defaultIdleMinutes: 60 })).toBe(1);
    expect((await cartOf(patient.id, "c")).status).toBe("ABANDONED");

    await expect(
      updateOrderSettings(usual.id, { cartAbandonAfterMinutes: 2 }),
    ).rejects.toMatchObject({
      problems: [{ path: ["cartAbandonAfterMinutes"], message: "at least 5 minutes" }],
    });
    await expect(updateOrderSettings(usual.id, {})).rejects.toBeInstanceOf(InvalidInputError);
    const back = await updateOrderSettings(quick.id, { cartAbandonAfterMinutes: null });
    expect(back.cartAbandonAfterMinutes).toBeNull();
  });
});

describe("the cart templates see", () => {
  it("shows the cart's lines with the catalog's current price, image and stock, else what was seen", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(workspace.id, ada.id, "Product Added", added("c1", "shirt", 20, 2), at(0));
    await happen(
      workspace.id,
      ada.id,
      "Product Added",
      { ...added("c1", "mug", 8), variant_id: "blue", variant: "Blue" },
      at(1),
    );
    await happen(workspace.id, ada.id, "Product Added", added("c1", "hat", 9), at(2));
    await upsertProducts(workspace.id, [
      {
        productId: "shirt",
        title: "Linen shirt",
        price: 15,
        compareAtPrice: 20,
        currency: "EUR",
        imageUrl: "https://cdn.example/shirt.jpg",
        url: "https://shop.example/p/shirt",
        inStock: true,
      },
      {
        productId: "mug",
        title: "Mug",
        price: 8,
        currency: "EUR",
        variants: [{ variantId: "blue", title: "Blue", price: 9, inStock: false }],
      },
      // Priced in another currency: the price seen stands.
      { productId: "hat", title: "Hat", price: 99, currency: "USD" },
    ]);
    const cart = await loadCartTemplateData(db(), workspace.id, ada.id, "c1", "EUR");
    expect(cart).toEqual({
      id: "c1",
      currency: "EUR",
      checkout_url: "",
      status: "ACTIVE",
      total: 2 * 1500 + 900 + 900,
      items: [
        {
          product_id: "shirt",
          sku: null,
          name: "Linen shirt",
          price: 1500,
          compare_at_price: 2000,
          quantity: 2,
          image_url: "https://cdn.example/shirt.jpg",
          url: "https://shop.example/p/shirt",
          variant: null,
          in_stock: true,
        },
        expect.objectContaining({
          product_id: "mug",
          price: 900,
          variant: "Blue",
          in_stock: false,
        }),
        expect.objectContaining({ product_id: "hat", name: "Hat", price: 900, in_stock: true }),
      ],
    });
    // Another contact's cart is not theirs to see.
    const bob = await makeContact(workspace.id);
    expect((await loadCartTemplateData(db(), workspace.id, bob.id, "c1", "EUR")).items).toEqual([]);
  });
});
