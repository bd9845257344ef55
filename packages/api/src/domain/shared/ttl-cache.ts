/** A small in-process map whose entries expire `ttlMs` after they were set. */
export interface TtlCache<K, V> {
  /** The live value for `key`, or undefined once it expired or was never set. */
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  /** Drops every entry whose value matches (an eviction by something other than the key). */
  deleteWhere(matches: (value: V, key: K) => boolean): void;
}

export interface TtlCacheOptions {
  ttlMs: number;
  /** Entries kept at most; the oldest goes first. Default 10,000. */
  maxEntries?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Makes a cache whose entries live `ttlMs`, measured on an injectable clock so tests move time
 * instead of sleeping.
 *
 * @example const keys = makeTtlCache<string, KeyGrant>({ ttlMs: 5_000 })
 */
export function makeTtlCache<K, V>(options: TtlCacheOptions): TtlCache<K, V> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<K, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() < entry.expiresAt) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + options.ttlMs });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    deleteWhere(matches) {
      for (const [key, entry] of entries) if (matches(entry.value, key)) entries.delete(key);
    },
  };
}
