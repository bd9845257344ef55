import { makeCartwheel } from "./client";

/** The page's shared SDK instance (also `window.cartwheel` in the script-tag build). */
export const cartwheel = makeCartwheel();
export const {
  init,
  page,
  track,
  identify,
  subscribe,
  reset,
  grantConsent,
  revokeConsent,
  on,
  flush,
  queueStats,
  productViewed,
  productAdded,
  productRemoved,
  cartViewed,
  checkoutStarted,
  orderCompleted,
} = cartwheel;

export { type Cartwheel, makeCartwheel } from "./client";
export { type Cart, EcommerceEvent, type Order, type Product } from "./ecommerce";
export type { ExitIntentDetail, ExitIntentOptions, ExitIntentTrigger } from "./exit-intent";
export type { CartwheelOptions, ConsentState } from "./options";
export { DEFAULT_BOT_PATTERN } from "./privacy";
export type { IdentifyOptions, SubscribeOptions, SubscribeOutcome } from "./tracker";
export { SDK_VERSION } from "./version";
export type { BatchBody, BatchResult, PageContext, Rejection, WireEvent } from "./wire";
