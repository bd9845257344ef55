/** Limits of one request: events per batch and serialised bytes. */
export interface BatchLimits {
  maxEvents: number;
  maxBytes: number;
}

/** At most 100 events and 500 KB per request, as the API accepts. */
export const REQUEST_LIMITS: BatchLimits = { maxEvents: 100, maxBytes: 500_000 };
/** `sendBeacon` and `fetch(keepalive)` refuse bodies past 64 KiB; leave room for the envelope. */
export const BEACON_LIMITS: BatchLimits = { maxEvents: 100, maxBytes: 60_000 };

const ENVELOPE_BYTES = 200;
const encoder = typeof TextEncoder === "undefined" ? undefined : new TextEncoder();

/** UTF-8 size of `value` serialised as JSON. */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return encoder ? encoder.encode(json).length : json.length * 3;
}

/**
 * Splits `items` in order into batches within `limits`. A single item larger than the byte limit
 * still gets a batch of its own, so that the server can answer for it.
 * @example splitBatches(events, REQUEST_LIMITS)[0] // the next request's events
 */
export function splitBatches<Item>(
  items: readonly Item[],
  limits: BatchLimits,
  sizeOf: (item: Item) => number = jsonBytes,
): Item[][] {
  const batches: Item[][] = [];
  let current: Item[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (current.length && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}
