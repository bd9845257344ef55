import { GraphQLError } from "graphql";
import { db } from "../../db.ts";
import { reportShopKpis } from "../../domain/analytics/shop-kpis.ts";
import { listMessagesByIds } from "../../domain/messages/list-messages.ts";
import type { ScenarioDefinition } from "../../domain/scenarios/definition/definition.ts";
import { scenarioNodeStats } from "../../domain/scenarios/stats.ts";
import type { ApiScope } from "../../domain/workspaces/api-keys.ts";
import { ShopKpisRef } from "../analytics.ts";
import { workspaceOf } from "../auth.ts";
import { authScopesOf } from "../auth-scopes.ts";
import { builder } from "../builder.ts";
import { Event } from "../contact-activity.ts";
import type { Context } from "../context.ts";
import { ForbiddenError } from "../forbidden-error.ts";
import { decodeId } from "../ids.ts";
import { Message } from "../messages.ts";
import { NodeStats } from "../scenarios.ts";
import type { ChangeFeed } from "./change-feed.ts";
import { liveStream } from "./pulses.ts";

/**
 * The feed, for a caller holding `scope`. Checked when the subscription starts, so a key
 * without the scope is refused at once rather than left on an open stream that never speaks.
 */
function feedFor(context: Context, scope: ApiScope): ChangeFeed {
  if (!authScopesOf(context.principal).scope(scope)) {
    throw new ForbiddenError(`This key needs the ${scope} scope.`);
  }
  if (!context.feed) throw new Error("subscriptions need the change feed");
  return context.feed;
}

builder.subscriptionField("contactEvents", (t) =>
  t.field({
    type: Event,
    description:
      "Each new event of a contact as it is stored (from any API process or the worker), oldest first. Needs events:read.",
    authScopes: { scope: "events:read" },
    args: {
      contactId: t.arg.id({ required: true }),
      afterEventId: t.arg.id({
        description:
          "Resume: also send every event stored after this one (an Event id the client has), even before the subscription began. Default: only events stored from now on.",
      }),
    },
    subscribe: (_root, args, context) => {
      const workspaceId = workspaceOf(context.principal);
      const contactId = decodeId(String(args.contactId), "Contact", ["contactId"]);
      const after = args.afterEventId == null ? null : eventCursor(String(args.afterEventId));
      return contactEventStream(feedFor(context, "events:read"), workspaceId, contactId, after);
    },
    resolve: (event) => event,
  }),
);

function eventCursor(id: string): bigint {
  if (!/^\d{1,19}$/.test(id)) {
    throw new GraphQLError("afterEventId: is not an Event id", {
      extensions: {
        code: "BAD_USER_INPUT",
        problems: [{ path: ["afterEventId"], message: "is not an Event id" }],
      },
    });
  }
  return BigInt(id);
}

/** A subscription's subject is not in the caller's workspace (or does not exist). */
function notFound(entity: string, id: string): GraphQLError {
  return new GraphQLError(`${entity} ${id} was not found`, { extensions: { code: "NOT_FOUND" } });
}

function contactEventStream(
  feed: ChangeFeed,
  workspaceId: string,
  contactId: string,
  resumeAfter: bigint | null,
) {
  let after = resumeAfter ?? 0n;
  return liveStream(
    feed,
    (notice) =>
      notice.kind === "event" &&
      notice.workspaceId === workspaceId &&
      notice.contactId === contactId,
    async () => {
      const events = await db().event.findMany({
        where: { workspaceId, contactId, id: { gt: after } },
        orderBy: { id: "asc" },
        take: 500,
      });
      after = events.at(-1)?.id ?? after;
      return events;
    },
    async () => {
      const contact = await db().contact.findFirst({
        where: { id: contactId, workspaceId },
        select: { id: true },
      });
      if (!contact) throw notFound("Contact", contactId);
      if (resumeAfter !== null) return;
      const newest = await db().event.findFirst({
        where: { workspaceId, contactId },
        orderBy: { id: "desc" },
        select: { id: true },
      });
      after = newest?.id ?? 0n;
    },
  );
}

builder.subscriptionField("scenarioNodeStats", (t) =>
  t.field({
    type: [NodeStats],
    description:
      "A scenario's per-node figures (arrivals, outputs, waiting runs, conversions, messages, split branches) now and again after each change to its runs; bursts fold into one update. Needs scenarios:read.",
    authScopes: { scope: "scenarios:read" },
    args: { scenarioId: t.arg.id({ required: true }) },
    subscribe: (_root, args, context) => {
      const workspaceId = workspaceOf(context.principal);
      const scenarioId = decodeId(String(args.scenarioId), "Scenario", ["scenarioId"]);
      return nodeStatsStream(feedFor(context, "scenarios:read"), workspaceId, scenarioId);
    },
    resolve: (stats) => stats,
  }),
);

function nodeStatsStream(feed: ChangeFeed, workspaceId: string, scenarioId: string) {
  const load = () =>
    db().scenario.findFirst({
      where: { id: scenarioId, workspaceId },
      select: { definition: true },
    });
  return liveStream(
    feed,
    (notice) =>
      (notice.kind === "scenario" && notice.scenarioId === scenarioId) ||
      (notice.kind === "message" && notice.workspaceId === workspaceId),
    async () => {
      const scenario = await load();
      if (!scenario) throw notFound("Scenario", scenarioId);
      return [
        await scenarioNodeStats(scenarioId, scenario.definition as unknown as ScenarioDefinition),
      ];
    },
    async () => {
      if (!(await load())) throw notFound("Scenario", scenarioId);
    },
  );
}

builder.subscriptionField("messageUpdates", (t) =>
  t.field({
    type: Message,
    description:
      "A message now and after each change: sent, delivered, opened, clicked, bounced, complained, unsubscribed. Needs messages:read.",
    authScopes: { scope: "messages:read" },
    args: { messageId: t.arg.id({ required: true }) },
    subscribe: (_root, args, context) => {
      const workspaceId = workspaceOf(context.principal);
      const messageId = decodeId(String(args.messageId), "Message", ["messageId"]);
      return messageStream(feedFor(context, "messages:read"), workspaceId, messageId);
    },
    resolve: (message) => message,
  }),
);

function messageStream(feed: ChangeFeed, workspaceId: string, messageId: string) {
  return liveStream(
    feed,
    (notice) => notice.kind === "message" && notice.messageId === messageId,
    async () => {
      const message = await db().message.findFirst({ where: { id: messageId, workspaceId } });
      if (!message) throw notFound("Message", messageId);
      return [message];
    },
  );
}

/** Messages per `messageActivity` payload: a bulk send is split into payloads of this many. */
const activityChunk = 200;

builder.subscriptionField("messageActivity", (t) =>
  t.field({
    type: [Message],
    description:
      "The workspace's messages as they change: first an empty list once the stream is open, then each message queued, sent, delivered, opened, clicked, bounced or unsubscribed since the last payload, newest first (up to 200 a payload; a burst folds into one). For a list of messages, where `messageUpdates` is one message. Needs messages:read.",
    authScopes: { scope: "messages:read" },
    subscribe: (_root, _args, context) =>
      messageActivityStream(feedFor(context, "messages:read"), workspaceOf(context.principal)),
    resolve: (messages) => messages,
  }),
);

function messageActivityStream(feed: ChangeFeed, workspaceId: string) {
  // The notices name the messages: collected as they arrive, read once per burst.
  const changed = new Set<string>();
  let opened = false;
  return liveStream(
    feed,
    (notice) => {
      if (notice.kind !== "message" || notice.workspaceId !== workspaceId) return false;
      changed.add(notice.messageId);
      return true;
    },
    async () => {
      const ids = [...changed];
      changed.clear();
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += activityChunk) {
        chunks.push(ids.slice(i, i + activityChunk));
      }
      const payloads = [];
      for (const chunk of chunks) {
        const messages = await listMessagesByIds(workspaceId, chunk);
        if (messages.length > 0) payloads.push(messages);
      }
      if (!opened && payloads.length === 0) payloads.push([]);
      opened = true;
      return payloads;
    },
  );
}

builder.subscriptionField("todayKpis", (t) =>
  t.field({
    type: ShopKpisRef,
    description:
      "The shop's KPIs for today (its time zone), now and again as orders, page views and messages change; bursts fold into one update. Needs analytics:read.",
    authScopes: { scope: "analytics:read" },
    subscribe: (_root, _args, context) =>
      todayKpisStream(feedFor(context, "analytics:read"), workspaceOf(context.principal)),
    resolve: (kpis) => kpis,
  }),
);

function todayKpisStream(feed: ChangeFeed, workspaceId: string) {
  let timeZone = "UTC";
  return liveStream(
    feed,
    (notice) => notice.workspaceId === workspaceId,
    async () => {
      const today = new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date());
      return [await reportShopKpis(workspaceId, { from: today, to: today, bucket: "DAY" })];
    },
    async () => {
      const settings = await db().workspaceEmailSettings.findUnique({
        where: { workspaceId },
        select: { timezone: true },
      });
      timeZone = settings?.timezone ?? "UTC";
    },
  );
}
