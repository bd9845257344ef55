import { backoffDelay, parseRetryAfter } from "./backoff";
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BEACON_BYTES, nextBatch } from "./batch";
import type { EventQueue } from "./queue";
import { warn } from "./safe";
import { beacon, postJson } from "./transport";
import type { BatchBody, BatchResult, WireEvent } from "./wire";

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
 *
 * What an answer means for its batch: 2xx sent (per-event `rejected` entries are logged and
 * dropped); 400 dropped; 401/403 stop sending for this page view, keeping the events; 413 halves
 * the batch (a single event is dropped); anything else, or no answer, is retried with backoff
 * (429 and 503 after `Retry-After`).
 */
export function makeDelivery(queue: EventQueue, settings: DeliverySettings): Delivery {
  const inFlight = new Set<WireEvent>();
  let sending: Promise<void> | undefined;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let maxEvents = MAX_BATCH_EVENTS;
  let stopped = false;

  const waiting = (): WireEvent[] => queue.events().filter((event) => !inFlight.has(event));

  /** Acts on the answer to `batch`; true when the next batch should be sent at once. */
  const settle = async (batch: WireEvent[], response: Response | undefined): Promise<boolean> => {
    const ids = batch.map((event) => event.messageId);
    const status = response?.status;
    if (status === 401 || status === 403) {
      stopped = true;
      warn(status, "write key refused; sending paused");
    } else if (status === 413 && batch.length > 1) {
      maxEvents = Math.ceil(batch.length / 2);
      return true;
    } else if (status === 400 || status === 413) {
      queue.remove(ids);
      warn(`${status}: dropped`, ids);
      return status === 413;
    } else if (response?.ok) {
      attempt = 0;
      queue.remove(ids);
      const result: BatchResult | null = await response.json().catch(() => null);
      if (result?.rejected?.length) warn("rejected", result.rejected);
    } else {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(
        () => {
          retryTimer = undefined;
          void flush();
        },
        (status === 429 || status === 503
          ? parseRetryAfter(response?.headers.get("Retry-After"))
          : undefined) ??
          backoffDelay(attempt, settings.retryBaseDelayMs, settings.retryMaxDelayMs),
      );
      attempt++;
    }
    return false;
  };

  const send = async (batch: WireEvent[], keepalive: boolean): Promise<boolean> => {
    for (const event of batch) inFlight.add(event);
    const body: BatchBody = {
      writeKey: settings.writeKey,
      sentAt: new Date().toISOString(),
      batch,
    };
    const response = await postJson(settings.endpoint, body, keepalive);
    if (!response && keepalive) beacon(settings.endpoint, body);
    for (const event of batch) inFlight.delete(event);
    return settle(batch, response);
  };

  const flush = async (): Promise<void> => {
    clearTimeout(batchTimer);
    batchTimer = undefined;
    if (sending || stopped || navigator.onLine === false) return sending;
    const batch = nextBatch(waiting(), maxEvents, MAX_BATCH_BYTES);
    if (!batch.length) return;
    sending = send(batch, false)
      .catch(() => false)
      .then((again) => {
        sending = undefined;
        if (again) void flush();
        else schedule();
      });
    return sending;
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
      const batch = nextBatch(waiting(), MAX_BATCH_EVENTS, MAX_BEACON_BYTES);
      if (batch.length && !stopped) void send(batch, true).catch(() => false);
    },
    resume() {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      attempt = 0;
      void flush();
    },
  };
}
