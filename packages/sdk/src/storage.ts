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

function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Makes a store over localStorage. Until `persist()` is called (or when `persistent` is false,
 * e.g. while consent is pending) entries live in memory only; writes that fail (storage disabled
 * or full) stay in memory too, so the SDK keeps working for the page view.
 */
export function makeStore(persistent: boolean): Store {
  const memory = new Map<string, string>();
  const write = (key: string, value: string): boolean => {
    try {
      localStore()?.setItem(PREFIX + key, value);
      return !!localStore();
    } catch {
      return false;
    }
  };
  const read = (key: string): string | null => {
    try {
      return persistent ? (localStore()?.getItem(PREFIX + key) ?? null) : null;
    } catch {
      return null;
    }
  };
  const keys = (): string[] => {
    try {
      const storage = localStore();
      return storage && persistent ? Object.keys(storage) : [];
    } catch {
      return [];
    }
  };
  const remove = (key: string): void => {
    memory.delete(key);
    try {
      localStore()?.removeItem(PREFIX + key);
    } catch {}
  };
  return {
    get: (key) => memory.get(key) ?? read(key),
    set(key, value) {
      if (persistent && write(key, value)) memory.delete(key);
      else memory.set(key, value);
    },
    remove,
    keysStartingWith: (start) =>
      keys()
        .filter((key) => key.startsWith(PREFIX + start))
        .map((key) => key.slice(PREFIX.length)),
    persist() {
      persistent = true;
      for (const [key, value] of memory) if (write(key, value)) memory.delete(key);
    },
    clear() {
      for (const key of keys()) if (key.startsWith(PREFIX)) remove(key.slice(PREFIX.length));
      memory.clear();
    },
  };
}
