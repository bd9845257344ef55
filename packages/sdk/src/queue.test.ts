import { afterEach, describe, expect, it, vi } from "vitest";
import { makeEventQueue } from "./queue";
import type { Store } from "./storage";
import type { WireEvent } from "./wire";

/** localStorage as several tabs of one shop share it. */
function sharedStore(): Store & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (key) => entries.get(key) ?? null,
    set: (key, value) => void entries.set(key, value),
    remove: (key) => void entries.delete(key),
    keysStartingWith: (start) => [...entries.keys()].filter((key) => key.startsWith(start)),
    persist() {},
    clear: () => entries.clear(),
  };
}

const event = (messageId: string) => ({ messageId }) as WireEvent;
const ids = (events: readonly WireEvent[]) => events.map((e) => e.messageId);

afterEach(() => {
  vi.useRealTimers();
});

describe("event queue", () => {
  it("drops the oldest events past its cap and counts them", () => {
    const queue = makeEventQueue(sharedStore(), 3);
    for (const id of ["a", "b", "c", "d", "e"]) queue.add(event(id));
    expect(ids(queue.events())).toEqual(["c", "d", "e"]);
    expect(queue.dropped()).toBe(2);
  });

  it("adopts a released queue at once, before its own events, and deletes it", () => {
    const store = sharedStore();
    const closedTab = makeEventQueue(store, 100);
    const openTab = makeEventQueue(store, 100);
    closedTab.add(event("old-1"));
    closedTab.add(event("old-2"));
    openTab.add(event("new"));
    openTab.adoptAbandoned();
    expect(ids(openTab.events())).toEqual(["new"]);

    closedTab.release();
    openTab.adoptAbandoned();
    expect(ids(openTab.events())).toEqual(["old-1", "old-2", "new"]);
    expect(store.entries.size).toBe(1);
    expect(JSON.parse([...store.entries.values()][0] ?? "").events).toHaveLength(3);
  });

  it("adopts a queue whose tab stopped beating, and never takes its own events twice", () => {
    vi.useFakeTimers();
    const store = sharedStore();
    const frozenTab = makeEventQueue(store, 100);
    const liveTab = makeEventQueue(store, 100);
    frozenTab.add(event("a"));
    liveTab.add(event("a"));
    vi.advanceTimersByTime(19_000);
    liveTab.adoptAbandoned();
    expect(store.entries.size).toBe(2);
    vi.advanceTimersByTime(2_000);
    liveTab.adoptAbandoned();
    expect(ids(liveTab.events())).toEqual(["a"]);
    expect(store.entries.size).toBe(1);
  });

  it("removes its entry once every event is confirmed", () => {
    const store = sharedStore();
    const queue = makeEventQueue(store, 100);
    queue.add(event("a"));
    queue.remove(["a"]);
    expect(store.entries.size).toBe(0);
  });
});
