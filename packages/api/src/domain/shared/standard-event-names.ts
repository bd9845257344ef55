/**
 * The event names Cartwheel knows: the Segment e-commerce spec's, in its Title Case, and the
 * few Cartwheel adds. Anything else is a custom event and kept exactly as sent.
 */
export const standardEventNames = [
  "Page Viewed",
  "Identify",
  "Signed Up",
  "Newsletter Signed Up",
  "Exit Intent",
  "Products Searched",
  "Product List Viewed",
  "Product List Filtered",
  "Product Clicked",
  "Product Viewed",
  "Product Added",
  "Product Removed",
  "Product Reviewed",
  "Product Shared",
  "Product Added to Wishlist",
  "Product Removed from Wishlist",
  "Cart Viewed",
  "Cart Shared",
  "Checkout Started",
  "Checkout Step Viewed",
  "Checkout Step Completed",
  "Payment Info Entered",
  "Coupon Entered",
  "Coupon Applied",
  "Coupon Denied",
  "Coupon Removed",
  "Promotion Viewed",
  "Promotion Clicked",
  "Order Completed",
  "Order Updated",
  "Order Refunded",
  "Order Cancelled",
  "Order Shipped",
] as const;

const spelling = (name: string) =>
  name
    .toLowerCase()
    .replace(/[\s_-]+/g, " ")
    .trim();
const byNormalSpelling = new Map<string, string>(
  standardEventNames.map((name) => [spelling(name), name]),
);

/**
 * A standard event's name in the spec's spelling, whichever casing or separators it came in
 * (`order_completed`, `ORDER_COMPLETED`, `order completed` are all `Order Completed`); any
 * other name as given.
 *
 * @example canonicalEventName("product_added") // "Product Added"
 * @example canonicalEventName("Wishlist Synced") // "Wishlist Synced"
 */
export function canonicalEventName(name: string): string {
  return byNormalSpelling.get(spelling(name)) ?? name;
}
