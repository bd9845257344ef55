import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  listTimeline,
  type TimelineEntry,
  timelinePageSizes,
} from "../domain/activity/timeline.ts";
import {
  messageActivities,
  type TimelineSource,
  timelineSources,
} from "../domain/activity/timeline-sources.ts";
import { countContactEvents, listContactEvents } from "../domain/events/list-events.ts";
import type { ApiScope } from "../domain/workspaces/api-keys.ts";
import { workspaceOf } from "./auth.ts";
import { authScopesOf } from "./auth-scopes.ts";
import { withInputErrors } from "./bad-input-error.ts";
import { builder } from "./builder.ts";
import type { Principal } from "./context.ts";
import { withoutNulls } from "./input.ts";
import { ScoreChangeKind } from "./scores.ts";

export const Event = builder.prismaObject("Event", {
  description: "One event of a contact: tracked by the shop, or recorded by Cartwheel itself.",
  fields: (t) => ({
    id: t.id({ resolve: (event) => String(event.id) }),
    name: t.exposeString("name", { description: 'e.g. "Order Completed", "Segment Entered".' }),
    properties: t.field({ type: "JSONObject", resolve: (event) => event.properties as object }),
    context: t.field({
      type: "JSONObject",
      description: "Where it came from: page, user agent, campaign…",
      resolve: (event) => event.context as object,
    }),
    anonymousId: t.exposeString("anonymousId", {
      nullable: true,
      description: "The browser's id, for events sent before or without a login.",
    }),
    occurredAt: t.expose("occurredAt", { type: "DateTime", description: "When it happened." }),
    receivedAt: t.expose("receivedAt", { type: "DateTime", description: "When it was stored." }),
  }),
});

const sinceText = (what: string) => `Only ${what} at or after this time.`;
const untilText = (what: string) => `Only ${what} before this time (exclusive).`;

builder.prismaObjectField("Contact", "events", (t) =>
  t.prismaConnection(
    {
      type: Event,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      description:
        "The contact's events, newest first (by when they happened), internal ones such as Segment Entered included.",
      authScopes: { scope: "events:read" },
      nullable: true,
      args: {
        names: t.arg.stringList({ description: "Only events with one of these names." }),
        since: t.arg({ type: "DateTime", description: sinceText("events") }),
        until: t.arg({ type: "DateTime", description: untilText("events") }),
      },
      totalCount: (contact, args, context) =>
        withInputErrors(() =>
          countContactEvents(workspaceOf(context.principal), contact.id, withoutNulls(args)),
        ),
      resolve: (query, contact, { names, since, until }, context) =>
        withInputErrors(() =>
          listContactEvents(workspaceOf(context.principal), contact.id, {
            filter: withoutNulls({ names, since, until }),
            query,
          }),
        ),
    },
    {},
  ),
);

const TimelineSourceEnum = builder.enumType("TimelineSource", {
  values: {
    EVENT: { description: "An event (events:read)." },
    MESSAGE: { description: "Something that happened to a message (messages:read)." },
    SCENARIO_STEP: { description: "A step of a scenario run (scenarios:read)." },
    SCORE_CHANGE: { description: "A change of the lead score." },
  },
});

/** The scope a key needs to see each source; score changes come with the contact. */
const sourceScopes: Record<TimelineSource, ApiScope> = {
  EVENT: "events:read",
  MESSAGE: "messages:read",
  SCENARIO_STEP: "scenarios:read",
  SCORE_CHANGE: "contacts:read",
};

function readableSources(principal: Principal): TimelineSource[] {
  const granted = authScopesOf(principal);
  return timelineSources.filter((source) => granted.scope(sourceScopes[source]));
}

export const TimelineEntryRef = builder.interfaceRef<TimelineEntry>("TimelineEntry").implement({
  description: "One thing in a contact's timeline; each source is its own type.",
  resolveType: (entry) => entryTypeNames[entry.source],
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "When it happened." }),
    source: t.field({ type: TimelineSourceEnum, resolve: (entry) => entry.source }),
  }),
});

const entryTypeNames: Record<TimelineSource, string> = {
  EVENT: "EventTimelineEntry",
  MESSAGE: "MessageTimelineEntry",
  SCENARIO_STEP: "ScenarioStepTimelineEntry",
  SCORE_CHANGE: "ScoreChangeTimelineEntry",
};

type EntryOf<S extends TimelineSource> = Extract<TimelineEntry, { source: S }>;
const entryRef = <S extends TimelineSource>(source: S) =>
  builder.objectRef<EntryOf<S>>(entryTypeNames[source]);
const globalId = (typename: string, id: string | null) =>
  id === null ? null : encodeGlobalID(typename, id);

entryRef("EVENT").implement({
  interfaces: [TimelineEntryRef],
  fields: (t) => ({
    event: t.field({ type: Event, resolve: (entry) => entry.data }),
  }),
});

const MessageActivityEnum = builder.enumType("MessageActivity", {
  description:
    "What happened to a message. Opens are a person's: privacy pre-fetches do not count.",
  values: messageActivities,
});

entryRef("MESSAGE").implement({
  interfaces: [TimelineEntryRef],
  fields: (t) => ({
    activity: t.field({ type: MessageActivityEnum, resolve: (entry) => entry.data.activity }),
    messageId: t.id({
      description: "The Message (for `node`).",
      resolve: (entry) => encodeGlobalID("Message", entry.data.messageId),
    }),
    subject: t.string({ nullable: true, resolve: (entry) => entry.data.subject }),
    templateId: t.id({
      nullable: true,
      resolve: (entry) => globalId("Template", entry.data.templateId),
    }),
    templateName: t.string({
      nullable: true,
      description: "The template's name as sent. Null (with FORBIDDEN) without templates:read.",
      authScopes: { scope: "templates:read" },
      resolve: (entry) => entry.data.templateName,
    }),
    bounceType: t.string({
      nullable: true,
      description: "For BOUNCED: Permanent, Transient…",
      resolve: (entry) => entry.data.bounceType,
    }),
  }),
});

entryRef("SCENARIO_STEP").implement({
  interfaces: [TimelineEntryRef],
  fields: (t) => ({
    scenarioId: t.id({ resolve: (entry) => encodeGlobalID("Scenario", entry.data.scenarioId) }),
    scenarioName: t.string({ resolve: (entry) => entry.data.scenarioName }),
    runId: t.id({ resolve: (entry) => encodeGlobalID("ScenarioRun", entry.data.runId) }),
    nodeId: t.string({ resolve: (entry) => entry.data.nodeId }),
    nodeKind: t.string({
      description: "send_email, delay, condition…",
      resolve: (entry) => entry.data.nodeKind,
    }),
    output: t.string({
      nullable: true,
      description: "How the run left the node: next, yes/no, matched/timedOut, a split's branch.",
      resolve: (entry) => entry.data.output,
    }),
    reason: t.string({
      nullable: true,
      description: "Why, where there was a choice or a skip.",
      resolve: (entry) => entry.data.reason,
    }),
    leftAt: t.field({ type: "DateTime", nullable: true, resolve: (entry) => entry.data.leftAt }),
    messageId: t.id({
      nullable: true,
      description: "The message a send node queued.",
      resolve: (entry) => globalId("Message", entry.data.messageId),
    }),
  }),
});

entryRef("SCORE_CHANGE").implement({
  interfaces: [TimelineEntryRef],
  fields: (t) => ({
    kind: t.field({ type: ScoreChangeKind, resolve: (entry) => entry.data.kind }),
    delta: t.int({ resolve: (entry) => entry.data.delta }),
    scoreAfter: t.int({ description: "The score it left.", resolve: (e) => e.data.scoreAfter }),
    reason: t.string({ resolve: (entry) => entry.data.reason }),
    ruleId: t.id({
      nullable: true,
      resolve: (entry) => globalId("ScoringRule", entry.data.ruleId),
    }),
    eventId: t.string({
      nullable: true,
      description: "The event that caused it (for rule changes).",
      resolve: (entry) => entry.data.eventId,
    }),
  }),
});

builder.prismaObjectField("Contact", "timeline", (t) =>
  t.connection({
    type: TimelineEntryRef,
    nullable: true,
    description: `Everything that happened to the contact, newest first: events, message activity, scenario steps and score changes. Sources the key may not read are left out. At most ${timelinePageSizes.max} a page (default ${timelinePageSizes.default}).`,
    args: {
      since: t.arg({ type: "DateTime", description: sinceText("entries") }),
      until: t.arg({ type: "DateTime", description: untilText("entries") }),
    },
    resolve: async (contact, args, context) => {
      const page = await withInputErrors(() =>
        listTimeline(workspaceOf(context.principal), contact.id, {
          ...withoutNulls(args),
          sources: readableSources(context.principal),
        }),
      );
      return {
        edges: page.entries.map((entry) => ({ cursor: entry.cursor, node: entry })),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: page.entries[0]?.cursor ?? null,
          endCursor: page.entries.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
