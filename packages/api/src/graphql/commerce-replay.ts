import {
  type commerceReplayStates,
  type QueuedCommerceReplay,
  queueCommerceReplay,
} from "../domain/orders/queue-commerce-replay.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";

const CommerceReplayState = builder.enumType("CommerceReplayState", {
  values: {
    QUEUED: { description: "A replay was queued from the start." },
    ALREADY_QUEUED: {
      description: "A replay of this workspace is waiting or running; it was left alone.",
    },
    RESUMED: {
      description: "A replay that gave up after its retries was queued again where it stopped.",
    },
  } satisfies Record<(typeof commerceReplayStates)[number], unknown>,
});

const CommerceReplayPhase = builder.enumType("CommerceReplayPhase", {
  values: {
    CARTS: { value: "carts", description: "Folding carts from cart events, by cart id." },
    ORDERS: { value: "orders", description: "Writing orders from order events, by event id." },
    ABANDON: { value: "abandon", description: "Marking the idle carts abandoned." },
  } as const,
});

const CommerceReplay = builder.objectRef<QueuedCommerceReplay>("CommerceReplay").implement({
  description:
    "A replay of the workspace's stored cart and order events into carts and orders, running in the background (`replay_commerce_history`, 500 carts or order events a batch).",
  fields: (t) => ({
    state: t.field({ type: CommerceReplayState, resolve: (replay) => replay.state }),
    phase: t.field({
      type: CommerceReplayPhase,
      description: "The phase the queued (or waiting) batch is in.",
      resolve: (replay) => replay.cursor.phase,
    }),
    jobKey: t.exposeString("jobKey", { description: "The worker job's key." }),
    cartEvents: t.exposeInt("cartEvents", {
      description: "Stored cart events with a `cart_id` to fold.",
    }),
    orderEvents: t.exposeInt("orderEvents", { description: "Stored order events to write." }),
  }),
});

const ReplayCommerceHistoryInput = builder.inputType("ReplayCommerceHistoryInput", {
  fields: (t) => ({
    workspaceId: t.id({
      description: "The workspace (admin key only; a workspace key replays its own).",
    }),
  }),
});

builder.mutationField("replayCommerceHistory", (t) =>
  t.field({
    type: CommerceReplay,
    description:
      "Builds the carts and orders of cart and order events stored before those tables existed (an upgraded shop), in the background. Nothing reacts to the history: no scenario starts, no mail is queued, no segment or score changes; carts idle for the abandonment time end ABANDONED. Safe to run again, and beside live events.",
    authScopes: { admin: true, scope: "orders:write" },
    errors: { types: mutationErrors, dataField: { name: "replay" } },
    args: { input: t.arg({ type: ReplayCommerceHistoryInput, required: true }) },
    resolve: (_root, { input }, { principal }) =>
      queueCommerceReplay(
        principal.kind === "key"
          ? principal.workspaceId
          : decodeId(input.workspaceId ?? "", "Workspace", ["workspaceId"]),
      ),
  }),
);
