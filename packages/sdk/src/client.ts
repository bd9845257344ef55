import type { Cart, Order, Product } from "./ecommerce";
import { EcommerceEvent } from "./ecommerce";
import { makeEmitter } from "./emitter";
import type { ExitIntentDetail } from "./exit-intent";
import { type CartwheelOptions, resolveOptions } from "./options";
import { warn, withErrorBoundary } from "./safe";
import {
  type CartwheelEvents,
  type IdentifyOptions,
  type SubscribeOptions,
  type SubscribeOutcome,
  startTracker,
  type Tracker,
} from "./tracker";

type Properties = Record<string, unknown>;

/** The public API. No method ever throws into the page. */
export interface Cartwheel {
  /** Starts the SDK. Calls made before it are kept and run right after. */
  init(options: CartwheelOptions): void;
  /** Records a page view (sent automatically on load and SPA navigation unless `trackPages: false`). */
  page(properties?: Properties): void;
  /** Records any event, e.g. `track("Newsletter Signed Up", { list: "weekly" })`. */
  track(event: string, properties?: Properties): void;
  /**
   * Ties this browser to a customer (an email or the shop's customer id); later events carry it
   * as `userId`. Pass `userHash` (hex HMAC-SHA256 of `userId` with the workspace's identity
   * secret, computed by your backend) so the traits may update an existing contact.
   */
  identify(userId: string, traits?: Properties, options?: IdentifyOptions): void;
  /**
   * A signup form's consent to marketing email. With the workspace's double opt-in (the
   * default) the shopper gets a confirmation email and is subscribed only by its link.
   * Resolves to the server's outcome, or null when it could not be reached.
   */
  subscribe(email: string, options?: SubscribeOptions): Promise<SubscribeOutcome | null>;
  /** On logout: forgets the user id and the cart and starts a new anonymous id. */
  reset(): void;
  /** Starts sending (and storing) what was held while consent was pending. */
  grantConsent(): void;
  /** Stops tracking and deletes unsent events and stored ids. */
  revokeConsent(): void;
  /** Listens for exit intent; returns a function that stops listening. */
  on(name: "exitIntent", handler: (detail: ExitIntentDetail) => void): () => void;
  /** Sends waiting events now; resolves when the server has answered (never rejects). */
  flush(): Promise<void>;
  /** Unsent events in this tab and events dropped because the queue was full. */
  queueStats(): { pending: number; dropped: number };
  /** `Product Viewed` */
  productViewed(product: Product): void;
  /** `Product Added`, with the cart's `cart_id`. */
  productAdded(product: Product): void;
  /** `Product Removed`, with the cart's `cart_id`. */
  productRemoved(product: Product): void;
  /** `Cart Viewed`, with the cart's `cart_id`. */
  cartViewed(cart: Cart): void;
  /** `Checkout Started`, with the cart's `cart_id`. */
  checkoutStarted(cart: Cart): void;
  /** `Order Completed`, with the cart's `cart_id`; the next cart event starts a new cart. */
  orderCompleted(order: Order): void;
}

const MAX_CALLS_BEFORE_INIT = 1000;

/** Methods that wait for `init` when called before it. */
type DeferredMethod = "page" | "track" | "identify" | "reset" | "grantConsent" | "revokeConsent";

const call = (tracker: Tracker, method: DeferredMethod, args: unknown[]): void =>
  (tracker[method] as (...args: unknown[]) => void)(...args);

/** Makes an SDK instance; pages normally use the shared one exported as `cartwheel`. */
export function makeCartwheel(): Cartwheel {
  const emitter = makeEmitter<CartwheelEvents>();
  const callsBeforeInit: [DeferredMethod, unknown[]][] = [];
  let tracker: Tracker | undefined;

  const deferred = <Method extends DeferredMethod>(method: Method) =>
    withErrorBoundary((...args: Parameters<Tracker[Method]>): void => {
      if (tracker) call(tracker, method, args);
      else if (callsBeforeInit.length < MAX_CALLS_BEFORE_INIT) callsBeforeInit.push([method, args]);
    });
  const track = deferred("track");
  const trackAs =
    (event: string) =>
    (properties: Product | Cart | Order): void =>
      track(event, properties);

  return {
    init: withErrorBoundary((options: CartwheelOptions) => {
      if (tracker) {
        warn("init called twice");
        return;
      }
      const started = startTracker(resolveOptions(options), emitter);
      tracker = started;
      for (const [method, args] of callsBeforeInit.splice(0))
        withErrorBoundary(call)(started, method, args);
    }),
    page: deferred("page"),
    track,
    identify: deferred("identify"),
    subscribe: (email, options) =>
      tracker ? tracker.subscribe(email, options).catch(() => null) : Promise.resolve(null),
    reset: deferred("reset"),
    grantConsent: deferred("grantConsent"),
    revokeConsent: deferred("revokeConsent"),
    on: (name, handler) => withErrorBoundary(emitter.on)(name, handler) ?? (() => {}),
    flush: () => Promise.resolve(withErrorBoundary(() => tracker?.flush())()).catch(() => {}),
    queueStats: () => tracker?.queueStats() ?? { pending: 0, dropped: 0 },
    productViewed: trackAs(EcommerceEvent.ProductViewed),
    productAdded: trackAs(EcommerceEvent.ProductAdded),
    productRemoved: trackAs(EcommerceEvent.ProductRemoved),
    cartViewed: trackAs(EcommerceEvent.CartViewed),
    checkoutStarted: trackAs(EcommerceEvent.CheckoutStarted),
    orderCompleted: trackAs(EcommerceEvent.OrderCompleted),
  };
}
