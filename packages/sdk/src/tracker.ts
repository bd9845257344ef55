import { makeDelivery } from "./delivery";
import { CART_EVENTS, EcommerceEvent } from "./ecommerce";
import type { Emitter } from "./emitter";
import { type ExitIntentDetail, watchExitIntent } from "./exit-intent";
import { makeIdentity } from "./identity";
import { toJsonSafe } from "./json-safe";
import { watchNavigation } from "./navigation";
import type { ResolvedOptions } from "./options";
import { currentPage, eventContext } from "./page-context";
import { hasOptedOut, isBot } from "./privacy";
import { makeEventQueue, QUEUE_HEARTBEAT_MS } from "./queue";
import { warn } from "./safe";
import { makeStore } from "./storage";
import { postJson } from "./transport";
import { makeId } from "./uuid";
import type { WireEvent } from "./wire";

/** Events the page can listen to with `on`. */
export interface CartwheelEvents extends Record<string, unknown> {
  exitIntent: ExitIntentDetail;
}

type Properties = Record<string, unknown>;

/** How `identify` proves who the shopper is. */
export interface IdentifyOptions {
  /** Hex HMAC-SHA256 of the userId with the workspace's identity secret, from your backend. */
  userHash?: string;
}

/** What a signup form tells `subscribe`. */
export interface SubscribeOptions {
  /** Where the shopper signed up, e.g. `footer-form`, `exit-intent`. */
  source?: string;
  firstName?: string;
}

/** The server's answer to `subscribe`; null when it could not be reached or refused. */
export type SubscribeOutcome =
  | "confirmation_sent"
  | "confirmation_already_sent"
  | "subscribed"
  | "already_subscribed";

/** The SDK after `init`: records events and hands them to delivery. */
export interface Tracker {
  subscribe(email: string, options?: SubscribeOptions): Promise<SubscribeOutcome | null>;
  page(properties?: Properties): void;
  track(event: string, properties?: Properties): void;
  identify(userId: string, traits?: Properties, options?: IdentifyOptions): void;
  reset(): void;
  grantConsent(): void;
  revokeConsent(): void;
  flush(): Promise<void>;
  queueStats(): { pending: number; dropped: number };
}

const EXIT_INTENT_EVENT = "Exit Intent";
const withoutHash = (url: string | undefined): string | undefined => url?.split("#")[0];

/** Starts tracking with resolved options: identity, queue, delivery, page views, exit intent. */
export function startTracker(options: ResolvedOptions, emitter: Emitter<CartwheelEvents>): Tracker {
  const allowed =
    !isBot(navigator.userAgent, options.botUserAgentPattern) &&
    !(options.respectDoNotTrack && hasOptedOut());
  let consent = allowed ? options.consent : "denied";
  const store = makeStore(consent === "granted");
  const identity = makeIdentity(store);
  const queue = makeEventQueue(store, options.maxQueueSize);
  const delivery = makeDelivery(queue, options);
  const granted = (): boolean => consent === "granted";
  let referrer = document.referrer;
  let lastPageUrl: string | undefined;

  const record = (
    type: WireEvent["type"],
    event: string,
    properties: Properties,
    traits?: Properties,
    userHash?: string,
  ): void => {
    // Fields left undefined are not serialised, so they are absent on the wire.
    queue.add({
      messageId: makeId(),
      type,
      event,
      properties,
      anonymousId: identity.anonymousId(),
      userId: identity.userId(),
      traits,
      userHash,
      timestamp: new Date().toISOString(),
      context: eventContext(currentPage(referrer)),
    });
    if (granted()) delivery.schedule();
  };

  const track = (event: string, properties?: Properties): void => {
    if (consent === "denied") return;
    if (typeof event !== "string" || !event) {
      warn("no event name");
      return;
    }
    const props = toJsonSafe(properties);
    const isCartEvent = CART_EVENTS.includes(event);
    if (isCartEvent || event === EXIT_INTENT_EVENT) props.cart_id ??= identity.cartId(isCartEvent);
    record("track", event, props);
    if (event === EcommerceEvent.OrderCompleted) identity.endCart();
  };

  const page = (properties?: Properties): void => {
    if (consent === "denied") return;
    if (lastPageUrl && lastPageUrl !== location.href) referrer = lastPageUrl;
    lastPageUrl = location.href;
    exitIntent?.newPageView();
    record("page", "Page Viewed", {
      ...currentPage(referrer),
      search: location.search,
      ...toJsonSafe(properties),
    });
  };

  const exitIntent = options.exitIntent
    ? watchExitIntent((detail) => {
        track(EXIT_INTENT_EVENT, { ...detail });
        emitter.emit("exitIntent", detail);
      }, options.exitIntent)
    : undefined;

  const whenGranted = (action: () => void) => () => {
    try {
      if (granted()) action();
    } catch (error) {
      warn(error);
    }
  };
  document.addEventListener(
    "visibilitychange",
    whenGranted(() => {
      if (document.visibilityState === "hidden") delivery.flushOnExit();
    }),
  );
  addEventListener(
    "pagehide",
    whenGranted(() => {
      delivery.flushOnExit();
      queue.release();
    }),
  );
  addEventListener("pageshow", whenGranted(queue.reclaim));
  addEventListener("online", whenGranted(delivery.resume));
  setInterval(
    whenGranted(() => {
      queue.adoptAbandoned();
      queue.save();
      delivery.schedule();
    }),
    QUEUE_HEARTBEAT_MS,
  );
  if (granted()) queue.adoptAbandoned();
  if (options.trackPages) {
    page();
    watchNavigation(() => {
      if (withoutHash(location.href) !== withoutHash(lastPageUrl)) page();
    });
  }
  if (granted()) delivery.schedule();

  return {
    page,
    track,
    subscribe: (email, subscribeOptions) =>
      postJson(
        options.endpoint.replace(/batch$/, "subscribe"),
        { writeKey: options.writeKey, email, ...subscribeOptions },
        true,
      )
        .then((response) => (response?.ok ? response.json() : null))
        .then((body: { outcome?: SubscribeOutcome } | null) => body?.outcome ?? null)
        .catch(() => null),
    identify(userId, traits, options) {
      if (consent === "denied") return;
      if (typeof userId !== "string" || !userId) {
        warn("no user id");
        return;
      }
      identity.setUserId(userId);
      const allTraits = toJsonSafe(traits);
      if (userId.includes("@")) allTraits.email ??= userId;
      record("identify", "Identify", {}, allTraits, options?.userHash || undefined);
    },
    reset() {
      if (consent !== "denied") identity.reset();
    },
    grantConsent() {
      if (!allowed || granted()) return;
      consent = "granted";
      store.persist();
      queue.adoptAbandoned();
      queue.save();
      delivery.schedule();
    },
    revokeConsent() {
      consent = "denied";
      queue.clear();
      store.clear();
    },
    flush: () => (granted() ? delivery.flush() : Promise.resolve()),
    queueStats: () => ({ pending: queue.events().length, dropped: queue.dropped() }),
  };
}
