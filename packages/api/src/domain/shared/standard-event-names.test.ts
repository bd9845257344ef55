import { describe, expect, it } from "vitest";
import { canonicalEventName, standardEventNames } from "./standard-event-names.ts";

describe("canonicalEventName", () => {
  it.each([
    ["order_completed", "Order Completed"],
    ["ORDER_COMPLETED", "Order Completed"],
    ["order completed", "Order Completed"],
    ["Order-Completed", "Order Completed"],
    ["  Product   Added ", "Product Added"],
    ["product_added_to_wishlist", "Product Added to Wishlist"],
  ])("spells %j as the spec does", (given, expected) => {
    expect(canonicalEventName(given)).toBe(expected);
  });

  it("keeps custom names exactly as sent", () => {
    expect(canonicalEventName("wishlist_synced")).toBe("wishlist_synced");
    expect(canonicalEventName("Order Completed Twice")).toBe("Order Completed Twice");
  });

  it("is the identity on every standard name", () => {
    for (const name of standardEventNames) expect(canonicalEventName(name)).toBe(name);
  });
});
