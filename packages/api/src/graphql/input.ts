/**
 * GraphQL gives `undefined` for input fields left out and `null` for explicit nulls. The domain
 * keeps them apart (left out keeps a value, null clears it), so resolvers drop only `undefined`.
 *
 * @example withoutUndefined({ a: 1, b: undefined, c: null }) // { a: 1, c: null }
 */
export function withoutUndefined<T extends object>(
  input: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Drops fields left out or null, where null means nothing (filters, event fields). */
export function withoutNulls<T extends object>(
  input: T,
): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value != null)) as {
    [K in keyof T]?: Exclude<T[K], null | undefined>;
  };
}
