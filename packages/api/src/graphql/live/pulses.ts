import { Repeater } from "graphql-yoga";
import type { ChangeFeed, ChangeNotice } from "./change-feed.ts";

/**
 * A live stream for one subscription: `start` checks what it may (and throws a typed error to
 * the client), then `read` runs once at once and again after each burst of matching changes;
 * every item it returns is sent in order. Notices that arrive while a read or a slow client is
 * busy fold into one more read, so nobody falls behind. The stream ends the moment the client
 * goes away (even while waiting), and its subscription to the feed with it.
 */
export function liveStream<T>(
  feed: ChangeFeed,
  matches: (notice: ChangeNotice) => boolean,
  read: () => Promise<readonly T[]>,
  start?: () => Promise<void>,
): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    let stopped = false;
    void stop.then(() => {
      stopped = true;
    });
    let dirty = true;
    let wake = () => {};
    const unsubscribe = feed.subscribe(matches, () => {
      dirty = true;
      wake();
    });
    try {
      await start?.();
      await feed.ready();
      while (!stopped) {
        if (!dirty) {
          await Promise.race([
            new Promise<void>((resolve) => {
              wake = resolve;
            }),
            stop,
          ]);
          continue;
        }
        dirty = false;
        for (const item of await read()) {
          if (stopped) break;
          await push(item);
        }
      }
    } finally {
      unsubscribe();
    }
  });
}
