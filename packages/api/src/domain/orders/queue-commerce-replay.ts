import { withTransaction } from "../../db.ts";
import { commerceReplayCursor } from "../jobs/catalogue.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid } from "../shared/validation.ts";
import { cartEventNames } from "./fold-cart.ts";
import { orderEventNames } from "./orders-from-events.ts";
import {
  type CommerceReplayCursor,
  commerceReplayJobKey,
  commerceReplayStart,
  queueCommerceReplayStep,
} from "./replay-commerce-history.ts";

/** How a replay was queued: a new one, one already waiting or running, or a failed one resumed. */
export const commerceReplayStates = ["QUEUED", "ALREADY_QUEUED", "RESUMED"] as const;

/** What `queueCommerceReplay` did, and how much history there is to replay. */
export interface QueuedCommerceReplay {
  workspaceId: string;
  state: (typeof commerceReplayStates)[number];
  /** Where the queued (or waiting) batch starts. */
  cursor: CommerceReplayCursor;
  jobKey: string;
  /** Stored cart events with a `cart_id`, and order events, of the workspace. */
  cartEvents: number;
  orderEvents: number;
}

/**
 * Queues the replay of a workspace's stored cart and order events into carts and orders
 * (`replay_commerce_history`, a batch per job, see `replayCommerceHistory`): from the start,
 * unless a replay of that workspace is already waiting or running (it is left alone and
 * reported, `ALREADY_QUEUED`) or gave up after its retries (queued again from its cursor,
 * `RESUMED`). Throws `NotFoundError` for an unknown workspace.
 *
 * @example await queueCommerceReplay(workspaceId) // → { state: "QUEUED", cursor: { phase: "carts", afterCartId: "" }, … }
 */
export async function queueCommerceReplay(workspaceId: string): Promise<QueuedCommerceReplay> {
  if (!isUuid(workspaceId)) throw new NotFoundError("Workspace", workspaceId);
  const jobKey = commerceReplayJobKey(workspaceId);
  return withTransaction(async (tx) => {
    const [workspace] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM workspaces WHERE id = ${workspaceId}::uuid FOR NO KEY UPDATE`;
    if (!workspace) throw new NotFoundError("Workspace", workspaceId);
    const [job] = await tx.$queryRaw<{ payload: { cursor?: unknown }; failed: boolean }[]>`
      SELECT payload, attempts >= max_attempts AS failed
        FROM graphile_worker._private_jobs WHERE key = ${jobKey}`;
    const waiting = job ? commerceReplayCursor.safeParse(job.payload.cursor) : null;
    let state: QueuedCommerceReplay["state"] = "QUEUED";
    let cursor = commerceReplayStart;
    if (waiting?.success) {
      cursor = waiting.data;
      state = job?.failed ? "RESUMED" : "ALREADY_QUEUED";
    }
    if (state !== "ALREADY_QUEUED") await queueCommerceReplayStep(tx, workspaceId, cursor);
    const [counts] = await tx.$queryRaw<{ cartEvents: number; orderEvents: number }[]>`
      SELECT count(*) FILTER (WHERE name = ANY(${[...cartEventNames]}::text[])
                                AND properties->>'cart_id' IS NOT NULL)::int AS "cartEvents",
             count(*) FILTER (WHERE name = ANY(${[...orderEventNames]}::text[]))::int AS "orderEvents"
        FROM events
       WHERE workspace_id = ${workspaceId}::uuid
         AND name = ANY(${[...cartEventNames, ...orderEventNames]}::text[])`;
    return {
      workspaceId,
      state,
      cursor,
      jobKey,
      cartEvents: counts?.cartEvents ?? 0,
      orderEvents: counts?.orderEvents ?? 0,
    };
  });
}
