/** At most 100 events per request, as the API accepts. */
export const MAX_BATCH_EVENTS = 100;
/** At most 500 KB per request, as the API accepts. */
export const MAX_BATCH_BYTES = 500_000;
/** `sendBeacon` and `fetch(keepalive)` refuse bodies past 64 KiB; leave room for the envelope. */
export const MAX_BEACON_BYTES = 60_000;

const ENVELOPE_BYTES = 200;

/** UTF-8 size of `value` serialised as JSON. */
export function jsonBytes(value: unknown): number {
  return new Blob([JSON.stringify(value)]).size;
}

/**
 * The first items of `items`, in order, that fit in one request of at most `maxEvents` items and
 * `maxBytes` (counting the envelope). A single item larger than that still gets a batch of its
 * own, so that the server can answer for it.
 * @example nextBatch(events, MAX_BATCH_EVENTS, MAX_BATCH_BYTES) // the next request's events
 */
export function nextBatch<Item>(
  items: readonly Item[],
  maxEvents: number,
  maxBytes: number,
  sizeOf: (item: Item) => number = jsonBytes,
): Item[] {
  const batch: Item[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    bytes += sizeOf(item) + 1;
    if (batch.length && (batch.length >= maxEvents || bytes > maxBytes)) break;
    batch.push(item);
  }
  return batch;
}
