import { describe, expect, it } from "vitest";
import { type CartEvent, foldCart } from "./fold-cart.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute));
const event = (
  name: string,
  minute: number,
  properties: Record<string, unknown>,
  contactId: string | null = null,
): CartEvent => ({
  name,
  contactId,
  occurredAt: at(minute),
  properties: { cart_id: "c1", ...properties },
});
const lines = (events: CartEvent[]) =>
  foldCart(events, "EUR")?.lines.map((line) => [
    line.shop_product_id,
    line.shop_variant_id,
    line.quantity,
    line.price,
  ]);

describe("foldCart", () => {
  it("is null without events", () => {
    expect(foldCart([], "EUR")).toBeNull();
  });

  it("keeps variants apart, takes a removal without a variant from the product's first line, and caps nothing below one", () => {
    expect(
      lines([
        event("Product Added", 0, { product_id: "tee", variant_id: "S", price: 10 }),
        event("Product Added", 1, { product_id: "tee", variant_id: "M", price: 12, quantity: 3 }),
        event("Product Removed", 2, { product_id: "tee" }),
        event("Product Removed", 3, { product_id: "tee", variant_id: "M", quantity: 0 }),
        event("Product Added", 4, { sku: "SKU-1", price: "oops", quantity: -4 }),
      ]),
    ).toEqual([
      ["tee", "M", 2, 1200],
      ["SKU-1", null, 1, 0],
    ]);
  });

  it("folds in time order whatever order it is given, and takes the latest contact, currency and link", () => {
    const folded = foldCart(
      [
        event("Checkout Started", 5, { checkout_url: "javascript:alert(1)" }, "ada"),
        event("Product Added", 0, {
          product_id: "a",
          price: 1000,
          currency: "JPY",
          cart_url: "https://shop.example/cart",
        }),
        event("Cart Viewed", 3, {
          products: [{ product_id: "b", price: 5 }, null, { name: "no id" }],
        }),
        event("Product Added", 1, { product_id: "c" }, "someone-earlier"),
      ],
      "EUR",
    );
    expect(folded).toMatchObject({
      currency: "JPY",
      contactId: "ada",
      checkoutUrl: "https://shop.example/cart",
      lastActivityAt: at(5),
      checkoutStartedAt: at(5),
    });
    expect(folded?.lines.map((line) => [line.shop_product_id, line.price, line.added_at])).toEqual([
      ["b", 5, at(3).toISOString()],
    ]);
  });
});
