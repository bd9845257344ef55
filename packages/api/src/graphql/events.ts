import { eventTypes, ingestLimits, type RejectedEvent } from "../domain/events/event-input.ts";
import { checkIngestAccess } from "../domain/events/ingest-access.ts";
import { type IngestResult, ingestEvents } from "../domain/events/ingest-events.ts";
import { ingestRateLimiter, RateLimitedError } from "../domain/events/rate-limit.ts";
import { builder } from "./builder.ts";
import { ErrorInterface, mutationErrors } from "./errors.ts";
import { ForbiddenError } from "./forbidden-error.ts";
import { withoutNulls } from "./input.ts";

builder.objectType(RateLimitedError, {
  name: "RateLimitedError",
  description: "The key sent more than its rate limit allows; nothing was stored.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ retryAfterSeconds: t.exposeInt("retryAfterSeconds") }),
});

const EventType = builder.enumType("EventType", {
  values: Object.fromEntries(eventTypes.map((type) => [type.toUpperCase(), { value: type }])),
});

const EventInput = builder.inputType("EventInput", {
  description: "One event, as the browser SDK sends it to POST /v1/batch.",
  fields: (t) => ({
    messageId: t.string({
      required: true,
      description: "The client's id for the event: sending it again is a no-op.",
    }),
    type: t.field({ type: EventType, required: true }),
    event: t.string({
      description: 'The event name. Defaults to "Page Viewed" for PAGE, "Identify" for IDENTIFY.',
    }),
    properties: t.field({ type: "JSONObject" }),
    anonymousId: t.string({ description: "The browser's id; give it, a userId, or both." }),
    userId: t.string({ description: 'An email (contains "@") or the shop\'s customer id.' }),
    traits: t.field({ type: "JSONObject", description: "Contact fields an IDENTIFY sets." }),
    timestamp: t.string({
      required: true,
      description: "ISO 8601 time the event happened. A malformed one refuses only this event.",
    }),
    context: t.field({ type: "JSONObject" }),
  }),
});

const IngestEventsInput = builder.inputType("IngestEventsInput", {
  fields: (t) => ({
    events: t.field({
      type: [EventInput],
      required: true,
      description: `Up to ${ingestLimits.maxEventsPerBatch} events.`,
    }),
  }),
});

const RejectedEventRef = builder.objectRef<RejectedEvent>("RejectedEvent").implement({
  description: "An event refused as invalid. Sending it again will not help.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "The event's position in the input." }),
    messageId: t.exposeString("messageId"),
    code: t.exposeString("code", { description: "e.g. timestamp_too_old, name_too_long." }),
    message: t.exposeString("message"),
  }),
});

const IngestEventsPayload = builder.objectRef<IngestResult>("IngestEventsPayload").implement({
  fields: (t) => ({
    accepted: t.exposeInt("accepted", { description: "Events stored by this call." }),
    duplicates: t.exposeInt("duplicates", { description: "Events already stored before." }),
    rejected: t.field({ type: [RejectedEventRef], resolve: (result) => result.rejected }),
  }),
});

builder.mutationField("ingestEvents", (t) =>
  t.field({
    type: IngestEventsPayload,
    description:
      "Stores a batch of events exactly once (by messageId). Invalid events are refused one by one; the others are stored. Public keys may call it from their workspace's allowed origins.",
    authScopes: { scope: "events:write" },
    errors: { types: [...mutationErrors, RateLimitedError], dataField: { name: "result" } },
    // validateEvents rejects an event with unstorable text on its own, as over HTTP.
    checksOwnText: true,
    args: { input: t.arg({ type: IngestEventsInput, required: true }) },
    resolve: async (_root, { input }, { principal, request }) => {
      if (principal.kind !== "key") throw new ForbiddenError();
      const origin = request?.headers.get("origin");
      const access = await checkIngestAccess(principal, origin, ingestRateLimiter());
      if (!access.allowed) {
        if (access.reason === "rate_limited") throw new RateLimitedError(access.retryAfterSeconds);
        throw new ForbiddenError(`origin ${origin ?? "(none)"} is not allowed for this key`);
      }
      return ingestEvents(principal.workspaceId, input.events.map(withoutNulls), {
        source: access.source,
      });
    },
  }),
);
