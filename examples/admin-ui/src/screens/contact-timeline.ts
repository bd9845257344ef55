import { describeFailure, gql } from "../api.ts";
import { makeDebouncedRefresh } from "../debounced-refresh.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import { liveBadge, subscribeLive } from "../live.ts";
import type { Credentials } from "../session.ts";

type Entry = { at: string; source: "EVENT" | "MESSAGE" | "SCENARIO_STEP" | "SCORE_CHANGE" } & (
  | {
      __typename: "EventTimelineEntry";
      event: LiveEvent;
    }
  | {
      __typename: "MessageTimelineEntry";
      activity: string;
      subject: string | null;
      templateName: string | null;
      bounceType: string | null;
    }
  | {
      __typename: "ScenarioStepTimelineEntry";
      scenarioName: string;
      nodeId: string;
      nodeKind: string;
      output: string | null;
      stepReason: string | null;
    }
  | {
      __typename: "ScoreChangeTimelineEntry";
      delta: number;
      scoreAfter: number;
      scoreReason: string;
    }
);

interface LiveEvent {
  id: string;
  name: string;
  properties: Record<string, unknown>;
}

const timelineQuery = `query Timeline($id: ID!, $after: String) {
  contact(id: $id) { timeline(first: 25, after: $after) {
    edges { cursor node { __typename at source
      ... on EventTimelineEntry { event { id name properties } }
      ... on MessageTimelineEntry { activity subject templateName bounceType }
      ... on ScenarioStepTimelineEntry { scenarioName nodeId nodeKind output stepReason: reason }
      ... on ScoreChangeTimelineEntry { delta scoreAfter scoreReason: reason } } }
    pageInfo { hasNextPage endCursor } } }
}`;

const sources: Record<Entry["source"], string> = {
  EVENT: "Event",
  MESSAGE: "Email",
  SCENARIO_STEP: "Scenario",
  SCORE_CHANGE: "Score",
};

/**
 * A line for an event's properties: the first few scalar values people read (ids and user
 * agents left out, long values cut), never the raw JSON.
 */
function propertiesLine(properties: Record<string, unknown>): string {
  const shown = (key: string, value: unknown) => {
    const text = key === "url" ? String(value).split("?")[0] : String(value);
    return text && text.length > 60 ? `${text.slice(0, 59)}…` : text;
  };
  return Object.entries(properties)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .filter(([key]) => !/(^|_)(id|user_agent|ip)$/.test(key))
    .slice(0, 3)
    .map(([key, value]) => `${key}: ${shown(key, value)}`)
    .join(" · ");
}

function describe(entry: Entry): [string, string] {
  switch (entry.__typename) {
    case "EventTimelineEntry":
      return [entry.event.name, propertiesLine(entry.event.properties)];
    case "MessageTimelineEntry": {
      const activity = entry.activity.charAt(0) + entry.activity.slice(1).toLowerCase();
      return [
        `${activity}${entry.subject ? ` “${entry.subject}”` : ""}`,
        [entry.templateName, entry.bounceType].filter(Boolean).join(" · "),
      ];
    }
    case "ScenarioStepTimelineEntry":
      return [
        `${entry.scenarioName}: ${entry.nodeKind.replace(/_/g, " ")} ${entry.nodeId}`,
        [entry.output && `→ ${entry.output}`, entry.stepReason].filter(Boolean).join(" · "),
      ];
    default:
      return [
        `Score ${entry.delta > 0 ? "+" : ""}${entry.delta} → ${entry.scoreAfter}`,
        entry.scoreReason,
      ];
  }
}

/** What the timeline knows an entry by: its event id for events (the stream sends those), else its cursor. */
const entryKey = (entry: Entry, cursor: string) =>
  entry.__typename === "EventTimelineEntry" ? `event:${entry.event.id}` : cursor;

/** The newest event on the page, to resume the stream after (ids grow as events are stored). */
function newestEventId(entries: Entry[]): string | null {
  let newest: bigint | null = null;
  for (const entry of entries) {
    if (entry.__typename !== "EventTimelineEntry") continue;
    const id = BigInt(entry.event.id);
    if (newest === null || id > newest) newest = id;
  }
  return newest === null ? null : String(newest);
}

const eventsSubscription = `subscription($id: ID!, $after: ID) {
  contactEvents(contactId: $id, afterEventId: $after) { id name properties occurredAt } }`;
const messagesSubscription = `subscription { messageActivity { contact { id } } }`;

/**
 * A contact's `timeline`, newest first, 25 entries a page with "Load more": events, message
 * activity, scenario steps and score changes, each as one line. Sources the key may not read
 * are left out by the API. Live while `signal` holds: new events arrive through `contactEvents`
 * (resumed after the newest event shown, so a reconnect misses none), and when one of the
 * contact's messages changes (`messageActivity`) the first page is read again for its new
 * message entries.
 */
export function contactTimeline(
  credentials: Credentials,
  contactId: string,
  signal: AbortSignal,
): HTMLElement {
  const list = h("ol", { class: "timeline", testid: "timeline" });
  const more = h("div");
  const state = liveBadge();
  const shown = new Set<string>();
  let hasNextPage = false;

  function item(entry: Entry, key: string, fresh: boolean) {
    const [what, detail] = describe(entry);
    return h(
      "li",
      {
        testid: "timeline-entry",
        "data-source": entry.source,
        "data-key": key,
        class: fresh ? "row-changed" : undefined,
      },
      h("time", { datetime: entry.at, class: "muted" }, formatDate(entry.at)),
      h("span", { class: "source" }, sources[entry.source]),
      h("span", {}, what, detail ? h("span", { class: "muted" }, ` ${detail}`) : null),
    );
  }

  /** A live entry goes where its time puts it; one older than the page waits for "Load more". */
  function insert(entry: Entry, key: string) {
    if (shown.has(key)) return;
    const entries = [...list.querySelectorAll<HTMLElement>("[data-testid=timeline-entry]")];
    const at = Date.parse(entry.at);
    const before = entries.find(
      (li) => Date.parse(li.querySelector("time")?.getAttribute("datetime") ?? "") < at,
    );
    if (!before && hasNextPage) return;
    shown.add(key);
    list.querySelector(".empty")?.remove();
    list.insertBefore(item(entry, key, true), before ?? null);
  }

  async function read(after: string | null) {
    const data = await gql<{
      contact: {
        timeline: {
          edges: { cursor: string; node: Entry }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } | null;
    }>(credentials, timelineQuery, { id: contactId, after });
    return data.contact?.timeline ?? null;
  }

  async function load(after: string | null) {
    let timeline: Awaited<ReturnType<typeof read>>;
    try {
      timeline = await read(after);
    } catch (error) {
      show(more, notice("error", describeFailure(error), "timeline-error"));
      return null;
    }
    if (!timeline) {
      show(more, h("p", { class: "muted" }, "No timeline for this key."));
      return null;
    }
    if (!after && timeline.edges.length === 0)
      show(list, h("li", { class: "muted empty" }, "Nothing has happened yet."));
    for (const { cursor, node } of timeline.edges) {
      const key = entryKey(node, cursor);
      if (shown.has(key)) continue;
      shown.add(key);
      list.append(item(node, key, false));
    }
    hasNextPage = timeline.pageInfo.hasNextPage;
    const { endCursor } = timeline.pageInfo;
    show(
      more,
      hasNextPage
        ? h(
            "button",
            { class: "secondary", testid: "timeline-more", onclick: () => void load(endCursor) },
            "Load more",
          )
        : null,
    );
    return timeline;
  }

  // New message activity: the first page again, for the message entries not shown yet.
  const messageEntries = makeDebouncedRefresh(async () => {
    const timeline = await read(null);
    for (const { cursor, node } of timeline?.edges ?? []) {
      if (node.__typename === "MessageTimelineEntry") insert(node, entryKey(node, cursor));
    }
  });
  signal.addEventListener("abort", () => messageEntries.cancel());

  void load(null).then((first) => {
    if (!first || signal.aborted) return;
    subscribeLive<{ contactEvents: LiveEvent & { occurredAt: string } }>(
      credentials,
      eventsSubscription,
      { id: contactId, after: newestEventId(first.edges.map((edge) => edge.node)) },
      {
        signal,
        onState: state.set,
        liveOnOpen: true,
        onData: ({ contactEvents: event }) =>
          insert(
            { __typename: "EventTimelineEntry", source: "EVENT", at: event.occurredAt, event },
            `event:${event.id}`,
          ),
      },
    );
    subscribeLive<{ messageActivity: { contact: { id: string } | null }[] }>(
      credentials,
      messagesSubscription,
      {},
      {
        signal,
        onData: ({ messageActivity }) => {
          if (messageActivity.some((message) => message.contact?.id === contactId)) {
            messageEntries.request();
          }
        },
      },
    );
  });
  return h(
    "section",
    { testid: "contact-timeline" },
    h("h2", { class: "title-with-badge" }, "Timeline ", state.badge),
    list,
    more,
  );
}
