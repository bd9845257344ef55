import { warn } from "./safe";
import type { Store } from "./storage";
import { makeId } from "./uuid";
import type { WireEvent } from "./wire";

const QUEUE_KEY = "queue.";
/** How often a tab with unsent events refreshes its heartbeat and looks for abandoned queues. */
export const QUEUE_HEARTBEAT_MS = 5_000;
const ABANDONED_AFTER_MS = 20_000;

interface StoredQueue {
  /** When the owning tab last wrote it; 0 once the tab has released it (pagehide). */
  heartbeat: number;
  events: WireEvent[];
}

/** Unsent events of this tab, kept in memory and mirrored to storage. */
export interface EventQueue {
  add(event: WireEvent): void;
  events(): readonly WireEvent[];
  remove(messageIds: readonly string[]): void;
  /** Takes over the stored queues of tabs that have closed or stopped beating. */
  adoptAbandoned(): void;
  /** Writes the queue again, refreshing this tab's heartbeat (unless released). */
  save(): void;
  /** Marks the stored queue as released, so that the next page view adopts it at once. */
  release(): void;
  /** Takes the queue back after `release` (a page restored from the back/forward cache). */
  reclaim(): void;
  clear(): void;
  /** How many events were dropped because the queue was full. */
  dropped(): number;
}

/**
 * Makes this tab's queue. Each tab owns one storage entry and is the only one to write it, so
 * tabs never overwrite each other's events; a tab adopts another's entry only once that tab has
 * released it or stopped beating, writing the events into its own entry before deleting the
 * other. Two tabs may adopt the same entry and both send it: the server dedupes by messageId.
 * Past `maxSize` events the oldest are dropped and counted.
 */
export function makeEventQueue(store: Store, maxSize: number): EventQueue {
  const key = QUEUE_KEY + makeId();
  let queued: WireEvent[] = [];
  let droppedCount = 0;
  let released = false;

  const write = (): void => {
    if (!queued.length) {
      store.remove(key);
      return;
    }
    const stored: StoredQueue = { heartbeat: released ? 0 : Date.now(), events: queued };
    store.set(key, JSON.stringify(stored));
  };
  const trim = (): void => {
    const excess = queued.length - maxSize;
    if (excess <= 0) return;
    if (!droppedCount) warn("queue full: dropping oldest");
    queued = queued.slice(excess);
    droppedCount += excess;
  };
  const readStored = (otherKey: string): StoredQueue | undefined => {
    try {
      const stored: StoredQueue | null = JSON.parse(store.get(otherKey) ?? "null");
      return Array.isArray(stored?.events) ? stored : undefined;
    } catch {}
  };

  return {
    add(event) {
      queued.push(event);
      trim();
      write();
    },
    events: () => queued,
    remove(messageIds) {
      queued = queued.filter((event) => !messageIds.includes(event.messageId));
      write();
    },
    adoptAbandoned() {
      for (const otherKey of store.keysStartingWith(QUEUE_KEY)) {
        const stored = otherKey === key ? undefined : readStored(otherKey);
        if (!stored || Date.now() - stored.heartbeat < ABANDONED_AFTER_MS) continue;
        const known = queued.map((event) => event.messageId);
        queued.unshift(...stored.events.filter((event) => !known.includes(event.messageId)));
        trim();
        write();
        store.remove(otherKey);
      }
    },
    save: write,
    release() {
      released = true;
      write();
    },
    reclaim() {
      released = false;
      write();
    },
    clear() {
      queued = [];
      store.remove(key);
    },
    dropped: () => droppedCount,
  };
}
