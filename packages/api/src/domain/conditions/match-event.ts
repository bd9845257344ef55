import type { Executor } from "../../db.ts";
import { propertyPredicate, SqlParams } from "./compile-comparison.ts";
import type { PropertyCondition } from "./filter.ts";

/**
 * Whether a stored event's properties meet each of several condition lists (each list ANDed;
 * an empty list always holds), in one query, with exactly the segment compiler's semantics.
 * Returns one answer per list, in order; all false when the event is gone.
 *
 * @example const [isBigOrder] = await matchEvent(tx, eventId, [[{ key: "total", type: "NUMBER", op: "AT_LEAST", value: 100 }]], now)
 */
export async function matchEvent(
  executor: Executor,
  eventId: string,
  lists: readonly (readonly PropertyCondition[])[],
  now: Date,
): Promise<boolean[]> {
  if (lists.length === 0) return [];
  if (lists.every((list) => list.length === 0)) return lists.map(() => true);
  const params = new SqlParams();
  const id = params.add(eventId, "bigint");
  const columns = lists.map((conditions, index) => {
    const predicate = conditions.length
      ? conditions.map((c) => propertyPredicate("e.properties", c, params, now)).join(" AND ")
      : "TRUE";
    return `${predicate} AS m${index}`;
  });
  const [row] = await executor.$queryRawUnsafe<Record<string, boolean>[]>(
    `SELECT ${columns.join(", ")} FROM events e WHERE e.id = ${id}`,
    ...params.values,
  );
  return lists.map((_, index) => row?.[`m${index}`] === true);
}
