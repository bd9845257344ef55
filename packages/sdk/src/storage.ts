const PREFIX = "cartwheel.";

/** Key/value storage in localStorage, with memory standing in for whatever it cannot hold. */
export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Keys (without the prefix) of persisted entries that start with `start`. */
  keysStartingWith(start: string): string[];
  /** Starts writing to localStorage, moving memory-held entries there. */
  persist(): void;
  /** Removes every entry this SDK wrote. */
  clear(): void;
}

/**
 * Makes a store over localStorage. Until `persist()` is called (or when `persistent` is false,
 * e.g. while consent is pending) entries live in memory only; writes that fail (storage disabled
 * or full) stay in memory too, so the SDK keeps working for the page view.
 */
export function makeStore(persistent: boolean): Store {
  const memory = new Map<string, string>();
  let storage: Storage | undefined;
  try {
    // Reading `localStorage` throws where the browser blocks storage.
    storage = localStorage;
  } catch {}
  const write = (key: string, value: string): boolean => {
    try {
      storage?.setItem(PREFIX + key, value);
      return !!storage;
    } catch {
      return false;
    }
  };
  const remove = (key: string): void => {
    memory.delete(key);
    storage?.removeItem(PREFIX + key);
  };
  const keysStartingWith = (start: string): string[] =>
    (storage && persistent ? Object.keys(storage) : [])
      .filter((key) => key.startsWith(PREFIX + start))
      .map((key) => key.slice(PREFIX.length));
  return {
    get: (key) => memory.get(key) ?? (persistent ? storage?.getItem(PREFIX + key) : null) ?? null,
    set(key, value) {
      if (persistent && write(key, value)) memory.delete(key);
      else memory.set(key, value);
    },
    remove,
    keysStartingWith,
    persist() {
      persistent = true;
      for (const [key, value] of memory) if (write(key, value)) memory.delete(key);
    },
    clear() {
      for (const key of keysStartingWith("")) remove(key);
      memory.clear();
    },
  };
}
