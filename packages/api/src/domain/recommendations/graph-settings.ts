/**
 * How the two recommendation graphs are kept. One place, so the incremental upkeep and the
 * nightly rebuild cannot disagree on what a basket or a session is.
 */
export const graphSettings = {
  /** An order adds its first this many distinct products: at most 1,225 pairs. */
  basketCap: 50,
  /** A view session takes its first this many distinct products, the same bound. */
  sessionCap: 50,
  /** Views of one shopper further apart than this start a new session. */
  sessionGapMs: 30 * 60_000,
  /** Pairs seen together fewer times than this are noise and never ranked. */
  minSupport: 2,
  /** Neighbours kept per product and graph. */
  neighboursPerProduct: 50,
  /** The rebuild reads orders this far back and views this far back (older signals decay out). */
  purchaseWindowDays: 365,
  viewWindowDays: 90,
} as const;

export const graphKinds = ["PURCHASE", "VIEW"] as const;
export type GraphKind = (typeof graphKinds)[number];

/** Orders in these states are not purchases any more; the rebuild leaves them out. */
export const droppedOrderStatuses = ["CANCELLED", "REFUNDED"] as const;

/** One transaction-scoped advisory lock serialises folding and rebuilding the graphs. */
export const graphLockKey = 7_340_011;
