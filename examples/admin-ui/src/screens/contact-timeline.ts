import { describeFailure, gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { Credentials } from "../session.ts";

type Entry = { at: string; source: "EVENT" | "MESSAGE" | "SCENARIO_STEP" | "SCORE_CHANGE" } & (
  | {
      __typename: "EventTimelineEntry";
      event: { name: string; properties: Record<string, unknown> };
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

const timelineQuery = `query Timeline($id: ID!, $after: String) {
  contact(id: $id) { timeline(first: 25, after: $after) {
    edges { node { __typename at source
      ... on EventTimelineEntry { event { name properties } }
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

/**
 * A contact's `timeline`, newest first, 25 entries a page with "Load more": events, message
 * activity, scenario steps and score changes, each as one line. Sources the key may not read
 * are left out by the API.
 */
export function contactTimeline(credentials: Credentials, contactId: string): HTMLElement {
  const list = h("ol", { class: "timeline", testid: "timeline" });
  const more = h("div");
  async function load(after: string | null) {
    let timeline: {
      edges: { node: Entry }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    } | null;
    try {
      const data = await gql<{ contact: { timeline: typeof timeline } | null }>(
        credentials,
        timelineQuery,
        { id: contactId, after },
      );
      timeline = data.contact?.timeline ?? null;
    } catch (error) {
      show(more, notice("error", describeFailure(error), "timeline-error"));
      return;
    }
    if (!timeline) return show(more, h("p", { class: "muted" }, "No timeline for this key."));
    if (!after && timeline.edges.length === 0)
      show(list, h("li", { class: "muted" }, "Nothing has happened yet."));
    list.append(
      ...timeline.edges.map(({ node }) => {
        const [what, detail] = describe(node);
        return h(
          "li",
          { testid: "timeline-entry", "data-source": node.source },
          h("time", { datetime: node.at, class: "muted" }, formatDate(node.at)),
          h("span", { class: "source" }, sources[node.source]),
          h("span", {}, what, detail ? h("span", { class: "muted" }, ` ${detail}`) : null),
        );
      }),
    );
    const { hasNextPage, endCursor } = timeline.pageInfo;
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
  }
  void load(null);
  return h("section", { testid: "contact-timeline" }, h("h2", {}, "Timeline"), list, more);
}
