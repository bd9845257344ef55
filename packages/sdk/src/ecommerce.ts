/** E-commerce event names from the Segment e-commerce spec. */
export const EcommerceEvent = {
  ProductViewed: "Product Viewed",
  ProductAdded: "Product Added",
  ProductRemoved: "Product Removed",
  CartViewed: "Cart Viewed",
  CheckoutStarted: "Checkout Started",
  OrderCompleted: "Order Completed",
} as const;

/** Events that carry the current `cart_id` (creating one if needed). */
export const CART_EVENTS: readonly string[] = [
  EcommerceEvent.ProductAdded,
  EcommerceEvent.ProductRemoved,
  EcommerceEvent.CartViewed,
  EcommerceEvent.CheckoutStarted,
  EcommerceEvent.OrderCompleted,
];

/** A product, with the Segment spec's property names. */
export interface Product {
  product_id: string;
  sku?: string;
  name?: string;
  price?: number;
  quantity?: number;
  category?: string;
  brand?: string;
  variant?: string;
  coupon?: string;
  position?: number;
  url?: string;
  image_url?: string;
  currency?: string;
  value?: number;
  [property: string]: unknown;
}

/** A cart or checkout: its products and totals. `cart_id` is filled in by the SDK. */
export interface Cart {
  products: Product[];
  cart_id?: string;
  order_id?: string;
  value?: number;
  revenue?: number;
  currency?: string;
  coupon?: string;
  [property: string]: unknown;
}

/** A completed order. */
export interface Order extends Cart {
  order_id: string;
  total?: number;
  subtotal?: number;
  shipping?: number;
  tax?: number;
  discount?: number;
}
