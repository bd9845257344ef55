import { randomUUID } from "node:crypto";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { listTimeline } from "../src/domain/activity/timeline.ts";
import { timelineSources } from "../src/domain/activity/timeline-sources.ts";
import { countContactEvents } from "../src/domain/events/list-events.ts";
import { createTestWorkspace, type GraphQLResponse, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
const t0 = Date.parse("2026-06-01T10:00:00.000Z");
/** `m` minutes after the fixture's start. */
const at = (m: number) => new Date(t0 + m * 60_000);
const iso = (m: number) => at(m).toISOString();

/**
 * Ada's history, newest first, as the timeline must list it. Two ties on time are broken by the
 * entry key: a scenario step before a message at 12 minutes, the later event first at 50.
 */
const adaTimeline = [
  "score:-2",
  "event:Page Viewed (2)",
  "event:Page Viewed",
  "message:BOUNCED",
  "message:SENT",
  "message:CLICKED",
  "message:OPENED",
  "event:Order Completed",
  "event:Segment Entered",
  "score:5",
  "message:DELIVERED",
  "step:send-welcome",
  "message:SENT",
  "step:trigger",
  "event:Product Viewed",
  "event:Page Viewed",
];
const sourceOf = (label: string) => label.slice(0, label.indexOf(":"));

/** A secret key of the test's workspace holding `scopes` ("contacts:read", …). */
async function keyWith(scopes: string[]) {
  const names = scopes.map((scope) => scope.replace(":", "_").toUpperCase());
  return (await workspace.makeKey("SECRET", names)).key;
}

let workspace: Awaited<ReturnType<typeof createTestWorkspace>>;
let adaId: string;

async function storeEvent(workspaceId: string, contactId: string, name: string, minute: number) {
  const properties = { label: name };
  await db().event.create({
    data: {
      workspaceId,
      contactId,
      name,
      properties,
      occurredAt: at(minute),
      messageId: randomUUID(),
    },
  });
}

/** Ada's events, messages, scenario steps and score changes, and a neighbour's event. */
async function seedAda(workspaceId: string) {
  const contact = await db().contact.create({ data: { workspaceId, email: "ada@example.com" } });
  const neighbour = await db().contact.create({ data: { workspaceId, email: "cy@example.com" } });
  const id = contact.id;
  await storeEvent(workspaceId, id, "Page Viewed", 0);
  await storeEvent(workspaceId, id, "Product Viewed", 10);
  await storeEvent(workspaceId, id, "Segment Entered", 20);
  await storeEvent(workspaceId, neighbour.id, "Order Completed", 25);
  await storeEvent(workspaceId, id, "Order Completed", 30);
  await storeEvent(workspaceId, id, "Page Viewed", 50);
  await storeEvent(workspaceId, id, "Page Viewed (2)", 50);

  const template = await db().template.create({
    data: { workspaceId, name: "Welcome", kind: "MARKETING", subject: "Hi", html: "<p>Hi</p>" },
  });
  const message = (fields: object) => ({
    workspaceId,
    contactId: id,
    kind: "MARKETING" as const,
    toEmail: "ada@example.com",
    idempotencyKey: randomUUID(),
    status: "SENT" as const,
    ...fields,
  });
  const welcome = await db().message.create({
    data: message({
      templateId: template.id,
      subject: "Welcome, Ada",
      sentAt: at(12),
      deliveredAt: at(13),
      machineOpenedAt: at(14),
      openedAt: at(40),
      clickedAt: at(41),
    }),
  });
  await db().message.create({
    data: message({
      subject: "Your cart",
      sentAt: at(45),
      bouncedAt: at(46),
      bounceType: "Permanent",
    }),
  });
  await db().message.create({
    data: { ...message({ sentAt: at(47) }), contactId: null, isTest: true },
  });

  const scenario = await db().scenario.create({
    data: { workspaceId, name: "Welcome flow", definition: {} },
  });
  const version = await db().scenarioVersion.create({
    data: { scenarioId: scenario.id, workspaceId, version: 1, definition: {} },
  });
  const run = await db().scenarioRun.create({
    data: {
      workspaceId,
      scenarioId: scenario.id,
      versionId: version.id,
      contactId: id,
      trigger: {},
      startedAt: at(11),
    },
  });
  const step = (seq: number, nodeId: string, kind: string, minute: number, extra = {}) =>
    db().scenarioStep.create({
      data: {
        runId: run.id,
        workspaceId,
        scenarioId: scenario.id,
        seq,
        nodeId,
        kind,
        enteredAt: at(minute),
        leftAt: at(minute),
        output: "next",
        ...extra,
      },
    });
  await step(0, "trigger", "trigger", 11);
  await step(1, "send-welcome", "send_email", 12, { messageId: welcome.id });

  const score = (delta: number, scoreAfter: number, kind: "RULE" | "MANUAL", minute: number) =>
    db().scoreChange.create({
      data: {
        workspaceId,
        contactId: id,
        kind,
        delta,
        scoreAfter,
        reason: kind === "RULE" ? "Pricing page" : "Met at the fair",
        occurredAt: at(minute),
      },
    });
  await score(5, 5, "RULE", 15);
  await score(-2, 3, "MANUAL", 55);
  return id;
}

beforeEach(async () => {
  workspace = await createTestWorkspace(api);
  adaId = await seedAda(decodeGlobalID(workspace.workspaceId).id);
});

const timelineQuery = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $since: DateTime, $until: DateTime) {
  node(id: $id) { ... on Contact {
    timeline(first: $first, after: $after, last: $last, before: $before, since: $since, until: $until) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        __typename at source
        ... on EventTimelineEntry { event { name } }
        ... on MessageTimelineEntry { activity subject messageId }
        ... on ScenarioStepTimelineEntry { scenarioName nodeId nodeKind }
        ... on ScoreChangeTimelineEntry { delta scoreAfter reason kind }
      } }
    }
  } }
}`;

function label(node: any): string {
  switch (node.source) {
    case "EVENT":
      return `event:${node.event.name}`;
    case "MESSAGE":
      return `message:${node.activity}`;
    case "SCENARIO_STEP":
      return `step:${node.nodeId}`;
    default:
      return `score:${node.delta}`;
  }
}

async function timelinePage(variables: Record<string, unknown>, key = workspace.secretKey) {
  const result = await api.request(
    timelineQuery,
    { id: encodeGlobalID("Contact", adaId), ...variables },
    key,
  );
  return result;
}

/** Every entry, following `endCursor` page by page. */
async function wholeTimeline(first: number, key = workspace.secretKey, window = {}) {
  const labels: string[] = [];
  const cursors: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const { data, errors } = await timelinePage({ first, after, ...window }, key);
    expect(errors).toBeUndefined();
    const timeline = data?.node.timeline;
    expect(timeline.edges.length).toBeLessThanOrEqual(first);
    labels.push(...timeline.edges.map((edge: any) => label(edge.node)));
    cursors.push(...timeline.edges.map((edge: any) => edge.cursor));
    if (!timeline.pageInfo.hasNextPage) return { labels, cursors };
    after = timeline.pageInfo.endCursor;
  }
  throw new Error("the timeline never ended");
}

describe("Contact.timeline", () => {
  it("mixes every source newest first, with the same order whatever the page size", async () => {
    for (const first of [1, 3, 5, 16, 200]) {
      const { labels, cursors } = await wholeTimeline(first);
      expect(labels, `pages of ${first}`).toEqual(adaTimeline);
      expect(new Set(cursors).size).toBe(adaTimeline.length);
    }
  });

  it("gives each entry its source's fields", async () => {
    const { data } = await timelinePage({ first: 16 });
    const nodes = data?.node.timeline.edges.map((edge: any) => edge.node);
    expect(nodes[0]).toEqual({
      __typename: "ScoreChangeTimelineEntry",
      at: iso(55),
      source: "SCORE_CHANGE",
      delta: -2,
      scoreAfter: 3,
      reason: "Met at the fair",
      kind: "MANUAL",
    });
    const opened = nodes.find((node: any) => node.activity === "OPENED");
    expect(opened).toMatchObject({ at: iso(40), subject: "Welcome, Ada" });
    expect(decodeGlobalID(opened.messageId).typename).toBe("Message");
    const send = nodes.find((node: any) => node.nodeId === "send-welcome");
    expect(send).toMatchObject({ scenarioName: "Welcome flow", nodeKind: "send_email" });
    expect(nodes.map((node: any) => node.at)).toEqual(
      [...nodes.map((node: any) => node.at)].sort().reverse(),
    );
  });

  it("keeps to since (inclusive) and until (exclusive), across pages", async () => {
    const window = { since: iso(12), until: iso(41) };
    const { labels } = await wholeTimeline(2, workspace.secretKey, window);
    expect(labels).toEqual([
      "message:OPENED",
      "event:Order Completed",
      "event:Segment Entered",
      "score:5",
      "message:DELIVERED",
      "step:send-welcome",
      "message:SENT",
    ]);
  });

  it("pages backwards with last and before", async () => {
    const oldest = await timelinePage({ last: 3 });
    const page = oldest.data?.node.timeline;
    expect(page.edges.map((edge: any) => label(edge.node))).toEqual(adaTimeline.slice(-3));
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const newer = await timelinePage({ last: 3, before: page.pageInfo.startCursor });
    expect(newer.data?.node.timeline.edges.map((edge: any) => label(edge.node))).toEqual(
      adaTimeline.slice(-6, -3),
    );
  });

  it("leaves out the sources a key cannot read", async () => {
    const cases: [string[], string[]][] = [
      [["contacts:read"], ["score"]],
      [
        ["contacts:read", "events:read"],
        ["event", "score"],
      ],
      [
        ["contacts:read", "messages:read"],
        ["message", "score"],
      ],
      [
        ["contacts:read", "scenarios:read", "events:read"],
        ["event", "step", "score"],
      ],
    ];
    for (const [scopes, sources] of cases) {
      const key = await keyWith(scopes);
      const { labels } = await wholeTimeline(4, key);
      expect(labels, scopes.join(" ")).toEqual(
        adaTimeline.filter((entry) => sources.includes(sourceOf(entry))),
      );
    }
  });

  it("shows a message's template name only to a key with templates:read", async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on Contact { timeline(first: 20) {
      edges { node { ... on MessageTimelineEntry { activity templateName } } } } } } }`;
    const names = async (scopes: string[]) => {
      const key = await keyWith(scopes);
      return api.request(query, { id: encodeGlobalID("Contact", adaId) }, key);
    };
    const allowed = await names(["contacts:read", "messages:read", "templates:read"]);
    expect(allowed.errors).toBeUndefined();
    const opened = allowed.data?.node.timeline.edges.find(
      (edge: any) => edge.node.activity === "OPENED",
    );
    expect(opened.node.templateName).toBe("Welcome");
    const refused = await names(["contacts:read", "messages:read"]);
    const messageEntries = adaTimeline.filter((entry) => sourceOf(entry) === "message").length;
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(
      Array(messageEntries).fill("FORBIDDEN"),
    );
    const nodes = refused.data?.node.timeline.edges.map((edge: any) => edge.node);
    expect(nodes.filter((node: any) => node.activity).length).toBe(messageEntries);
    expect(nodes.every((node: any) => node.templateName == null)).toBe(true);
  });

  it("refuses bad windows and cursors as BAD_USER_INPUT", async () => {
    const inverted = await timelinePage({ since: iso(30), until: iso(30) });
    expect(inverted.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      problems: [{ path: ["until"], message: "must be after since" }],
    });
    expect(inverted.data?.node).not.toBeNull();
    const badCursor = await timelinePage({ after: "not-a-cursor" });
    expect(badCursor.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await timelinePage({ first: 201 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

const eventsQuery = `query($id: ID!, $first: Int, $after: String, $names: [String!], $since: DateTime, $until: DateTime) {
  node(id: $id) { ... on Contact {
    email
    events(first: $first, after: $after, names: $names, since: $since, until: $until) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name properties occurredAt receivedAt } }
    }
  } }
}`;

async function eventNames(variables: Record<string, unknown>, key = workspace.secretKey) {
  const names: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let page = 0; page < 20; page++) {
    const result: GraphQLResponse = await api.request(
      eventsQuery,
      { id: encodeGlobalID("Contact", adaId), after, ...variables },
      key,
    );
    expect(result.errors).toBeUndefined();
    const events: any = result.data?.node.events;
    totalCount = events.totalCount;
    names.push(...events.edges.map((edge: any) => edge.node.name));
    if (!events.pageInfo.hasNextPage) return { names, totalCount };
    after = events.pageInfo.endCursor;
  }
  throw new Error("the events never ended");
}

describe("Contact.events", () => {
  const newestFirst = [
    "Page Viewed (2)",
    "Page Viewed",
    "Order Completed",
    "Segment Entered",
    "Product Viewed",
    "Page Viewed",
  ];

  it("lists the contact's events newest first, page by page", async () => {
    for (const first of [1, 2, 4, 10]) {
      expect(await eventNames({ first })).toEqual({ names: newestFirst, totalCount: 6 });
    }
    const result = await api.data(
      eventsQuery,
      { id: encodeGlobalID("Contact", adaId), first: 1 },
      workspace.secretKey,
    );
    expect(result.node.events.edges[0].node).toMatchObject({
      name: "Page Viewed (2)",
      properties: { label: "Page Viewed (2)" },
      occurredAt: iso(50),
    });
  });

  it("filters by names and by time", async () => {
    expect(await eventNames({ first: 1, names: ["Page Viewed", "Segment Entered"] })).toEqual({
      names: ["Page Viewed", "Segment Entered", "Page Viewed"],
      totalCount: 3,
    });
    expect(await eventNames({ first: 2, since: iso(10), until: iso(50) })).toEqual({
      names: ["Order Completed", "Segment Entered", "Product Viewed"],
      totalCount: 3,
    });
    expect(await eventNames({ names: ["Page Viewed"], since: iso(1) })).toEqual({
      names: ["Page Viewed"],
      totalCount: 1,
    });
  });

  it("refuses an empty names list and an inverted window", async () => {
    const id = encodeGlobalID("Contact", adaId);
    const empty = await api.request(eventsQuery, { id, names: [] }, workspace.secretKey);
    expect(empty.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(empty.data?.node.email).toBe("ada@example.com");
    const inverted = await api.request(
      eventsQuery,
      { id, since: iso(20), until: iso(10) },
      workspace.secretKey,
    );
    expect(inverted.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is FORBIDDEN to a key without events:read, which still reads the contact", async () => {
    const key = await keyWith(["contacts:read", "events:write"]);
    const result = await api.request(eventsQuery, { id: encodeGlobalID("Contact", adaId) }, key);
    expect(result.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([
      ["FORBIDDEN", ["node", "events"]],
    ]);
    expect(result.data?.node).toEqual({ email: "ada@example.com", events: null });
    const allowed = await keyWith(["contacts:read", "events:read"]);
    expect((await eventNames({}, allowed)).totalCount).toBe(6);
  });

  it("keeps another workspace's contact out of sight", async () => {
    const other = await createTestWorkspace(api);
    const id = encodeGlobalID("Contact", adaId);
    const events = await api.request(eventsQuery, { id }, other.secretKey);
    expect(events).toEqual({ data: { node: null } });
    const timeline = await api.request(timelineQuery, { id }, other.secretKey);
    expect(timeline).toEqual({ data: { node: null } });

    const otherRowId = decodeGlobalID(other.workspaceId).id;
    const sources = [...timelineSources];
    expect((await listTimeline(otherRowId, adaId, { sources })).entries).toEqual([]);
    expect(await countContactEvents(otherRowId, adaId)).toBe(0);
    const own = decodeGlobalID(workspace.workspaceId).id;
    expect((await listTimeline(own, adaId, { sources, first: 200 })).entries).toHaveLength(
      adaTimeline.length,
    );
  });
});
