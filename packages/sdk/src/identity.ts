import type { Store } from "./storage";
import { makeId } from "./uuid";

/** Who the shopper is (anonymousId, userId) and which cart they are filling. */
export interface Identity {
  anonymousId(): string;
  userId(): string | undefined;
  setUserId(userId: string): void;
  /** The current cart's id; a new one is made when `create` is true and there is none. */
  cartId(create: boolean): string | undefined;
  /** Forgets the cart, so the next cart event starts a new one (after an order completes). */
  endCart(): void;
  /** Forgets the user and the cart and starts a new anonymous id (on logout). */
  reset(): void;
}

/** Makes the identity kept in `store`, shared by the tabs of a shop when it persists. */
export function makeIdentity(store: Store): Identity {
  const getOrCreate = (key: string): string => {
    const existing = store.get(key);
    if (existing) return existing;
    const id = makeId();
    store.set(key, id);
    return id;
  };
  return {
    anonymousId: () => getOrCreate("anonymousId"),
    userId: () => store.get("userId") ?? undefined,
    setUserId: (userId) => store.set("userId", userId),
    cartId: (create) => (create ? getOrCreate("cartId") : (store.get("cartId") ?? undefined)),
    endCart: () => store.remove("cartId"),
    reset() {
      store.remove("userId");
      store.remove("cartId");
      store.set("anonymousId", makeId());
    },
  };
}
