import { backoffDelay } from "./backoff";
import { BEACON_LIMITS, REQUEST_LIMITS, splitBatches } from "./batch";
import type { EventQueue } from "./queue";
import { warn } from "./safe";
import { type DeliveryOutcome, postBatch } from "./transport";
import type { WireEvent } from "./wire";

/** Timing of delivery; see `CartwheelOptions` for the defaults. */
export interface DeliverySettings {
  endpoint: string;
  writeKey: string;
  flushAt: number;
  flushIntervalMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/** Sends the queue's events in batches and retries what the server did not take. */
export interface Delivery {
  /** Sends now if `flushAt` events wait, else within `flushIntervalMs`. */
  schedule(): void;
  /** Sends the next batch now, ignoring the batching delay and any backoff. */
  flush(): Promise<void>;
  /** Sends what fits in one keepalive request; for a page being hidden or closed. */
  flushOnExit(): void;
  /** After the browser comes back online: forgets the backoff and sends. */
  resume(): void;
}

/**
 * Makes the delivery loop over `queue`. One regular request is in flight at a time; events stay
 * in the queue (and storage) until the server has answered for them, so a lost request or a
 * closed page only means the events are sent again later, and the server dedupes them.
 */
export function makeDelivery(queue: EventQueue, settings: DeliverySettings): Delivery {
  const inFlight = new Set<string>();
  let sending: Promise<void> | undefined;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let maxEvents = REQUEST_LIMITS.maxEvents;
  let stopped = false;

  const waiting = (): WireEvent[] => queue.events().filter((e) => !inFlight.has(e.messageId));

  const handle = (batch: WireEvent[], outcome: DeliveryOutcome): boolean => {
    const ids = batch.map((event) => event.messageId);
    switch (outcome.kind) {
      case "accepted":
        attempt = 0;
        queue.remove(ids);
        if (outcome.rejected.length) warn("rejected", outcome.rejected);
        return false;
      case "malformed":
        queue.remove(ids);
        warn("400: dropped", ids);
        return false;
      case "unauthorized":
        stopped = true;
        warn(outcome.status, "write key refused; sending paused");
        return false;
      case "tooLarge":
        if (batch.length > 1) maxEvents = Math.ceil(batch.length / 2);
        else {
          queue.remove(ids);
          warn("413: dropped", ids);
        }
        return true;
      case "retry":
        clearTimeout(retryTimer);
        retryTimer = setTimeout(
          () => {
            retryTimer = undefined;
            void flush();
          },
          outcome.afterMs ??
            backoffDelay(attempt, settings.retryBaseDelayMs, settings.retryMaxDelayMs),
        );
        attempt++;
        return false;
    }
  };

  const send = async (batch: WireEvent[], keepalive: boolean): Promise<boolean> => {
    for (const event of batch) inFlight.add(event.messageId);
    const body = { writeKey: settings.writeKey, sentAt: new Date().toISOString(), batch };
    const outcome = await postBatch(settings.endpoint, body, keepalive);
    for (const event of batch) inFlight.delete(event.messageId);
    return handle(batch, outcome);
  };

  const flush = (): Promise<void> => {
    clearTimeout(batchTimer);
    batchTimer = undefined;
    if (sending || stopped || navigator.onLine === false) return sending ?? Promise.resolve();
    const batch = splitBatches(waiting(), { ...REQUEST_LIMITS, maxEvents })[0];
    if (!batch) return Promise.resolve();
    const current = send(batch, false)
      .catch(() => false)
      .then((again) => {
        sending = undefined;
        if (again) void flush();
        else schedule();
      });
    sending = current;
    return current;
  };

  const schedule = (): void => {
    if (sending || retryTimer || stopped) return;
    const count = waiting().length;
    if (count >= settings.flushAt) void flush();
    else if (count && !batchTimer) batchTimer = setTimeout(flush, settings.flushIntervalMs);
  };

  return {
    schedule,
    flush,
    flushOnExit() {
      const batch = splitBatches(waiting(), BEACON_LIMITS)[0];
      if (batch && !stopped) void send(batch, true).catch(() => false);
    },
    resume() {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      attempt = 0;
      void flush();
    },
  };
}
