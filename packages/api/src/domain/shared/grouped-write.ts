/**
 * Group commit for a hot single-row write: the first call writes at once; calls made while a
 * write is in flight wait for it and then go together in the next one (up to `maxBatch`), so
 * under load many rows share one statement, one round trip and one commit, and a quiet
 * process adds no delay. Each call resolves when its own row was written and rejects with its
 * batch's error.
 *
 * @example const markSent = makeGroupedWrite((rows) => updateAll(rows)); await markSent(row)
 */
export function makeGroupedWrite<T>(
  write: (items: T[]) => Promise<void>,
  options: { maxBatch?: number } = {},
): (item: T) => Promise<void> {
  const maxBatch = options.maxBatch ?? 100;
  const waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    writing = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
