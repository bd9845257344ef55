import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { decayScores } from "../src/domain/reactions/decay-scores.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { setScoreDecay } from "../src/domain/scores/decay.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { daysAgo, makeContact, memberIds, storeEvent, testNow } from "./segment-fixtures.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let workspace: Awaited<ReturnType<typeof createTestWorkspace>> & { rowId: string };
beforeEach(async () => {
  const created = await createTestWorkspace(api);
  workspace = { ...created, rowId: decodeGlobalID(created.workspaceId).id };
});

const createRule = `mutation($input: CreateScoringRuleInput!) {
  createScoringRule(input: $input) {
    __typename
    ... on MutationCreateScoringRuleSuccess { rule { id name points dailyCap enabled conditions { key op value } } }
    ... on InvalidInputError { problems { path message } }
    ... on ForbiddenError { message }
  }
}`;
const history = `query($id: ID!) {
  node(id: $id) { ... on Contact { score scoreHistory(first: 10) { totalCount edges { node { kind delta scoreAfter reason eventId rule { name } } } } } }
}`;
const contactGlobalId = (id: string) => encodeGlobalID("Contact", id);

async function rule(input: Record<string, unknown>) {
  const { createScoringRule } = await api.data(createRule, { input }, workspace.secretKey);
  return createScoringRule;
}

describe("scoring rules", () => {
  it("applies matching rules once per event, within the daily cap", async () => {
    await rule({
      name: "Pricing page",
      eventName: "Page Viewed",
      points: 5,
      dailyCap: 12,
      conditions: [{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/pricing" }],
    });
    await rule({
      name: "Big order",
      eventName: "Order Completed",
      points: 20,
      conditions: [{ key: "total", type: "NUMBER", op: "GREATER_THAN", value: "100" }],
    });
    await rule({ name: "Off", eventName: "Page Viewed", points: 50, enabled: false });
    const ada = await makeContact(workspace.rowId);
    const apply = async (name: string, properties: Record<string, unknown>, at = testNow) => {
      const id = await storeEvent(workspace.rowId, ada.id, name, properties, at);
      await reactToEvent(id, { now: testNow });
      return id;
    };
    const first = await apply("Page Viewed", { path: "/pricing/pro" });
    await reactToEvent(first, { now: testNow }); // a retried job
    await apply("Page Viewed", { path: "/pricing" });
    await apply("Page Viewed", { path: "/pricing" }); // only 2 of its 5 points fit the cap
    await apply("Page Viewed", { path: "/pricing" }); // the cap is used up
    await apply("Page Viewed", { path: "/pricing" }, daysAgo(1)); // another day
    await apply("Page Viewed", { path: "/blog" });
    await apply("Order Completed", { total: 80 });
    const order = await apply("Order Completed", { total: 180 });

    const { node } = await api.data(history, { id: contactGlobalId(ada.id) }, workspace.secretKey);
    expect(node.score).toBe(5 + 5 + 2 + 5 + 20);
    const changes = node.scoreHistory.edges.map((edge: any) => edge.node);
    expect(node.scoreHistory.totalCount).toBe(5);
    expect(changes[0]).toEqual({
      kind: "RULE",
      delta: 20,
      scoreAfter: 37,
      reason: "Big order (Order Completed)",
      eventId: order,
      rule: { name: "Big order" },
    });
    expect(changes.map((c: any) => c.delta)).toEqual([20, 5, 2, 5, 5]);
  });

  it("applies rules once however often the event's reaction runs", async () => {
    await rule({ name: "Demo", eventName: "Demo Booked", points: 15 });
    const ada = await makeContact(workspace.rowId);
    const id = await storeEvent(workspace.rowId, ada.id, "Demo Booked");
    await Promise.all([reactToEvent(id, { now: testNow }), reactToEvent(id, { now: testNow })]);
    await reactToEvent(id, { now: testNow }); // a retried job
    const { node } = await api.data(history, { id: contactGlobalId(ada.id) }, workspace.secretKey);
    expect(node.score).toBe(15);
    expect(node.scoreHistory.totalCount).toBe(1);
  });

  it("refuses bad rules with typed errors and keys without the scope", async () => {
    const zero = await rule({ name: "x", eventName: "Page Viewed", points: 0 });
    expect(zero.__typename).toBe("InvalidInputError");
    expect(zero.problems[0].path).toEqual(["points"]);
    const badType = await rule({
      name: "x",
      eventName: "Page Viewed",
      points: 1,
      conditions: [{ key: "path", type: "STRING", op: "GREATER_THAN", value: "a" }],
    });
    expect(badType.problems[0]).toMatchObject({ path: ["conditions", "0", "op"] });
    const reader = await workspace.makeKey("SECRET", ["CONTACTS_READ"]);
    const { createScoringRule } = await api.data(
      createRule,
      { input: { name: "x", eventName: "Page Viewed", points: 1 } },
      reader.key,
    );
    expect(createScoringRule.__typename).toBe("ForbiddenError");
    expect(await db().scoringRule.count({ where: { workspaceId: workspace.rowId } })).toBe(0);
  });
});

describe("manual adjustments and decay", () => {
  const adjust = `mutation($input: AdjustScoreInput!) {
    adjustScore(input: $input) {
      __typename
      ... on MutationAdjustScoreSuccess { contact { score segments { name } } }
      ... on Error { message }
    }
  }`;

  it("adjusts a score with a reason and re-checks score segments; refuses other workspaces' contacts", async () => {
    const ada = await makeContact(workspace.rowId, { score: 40 });
    await createSegment(workspace.rowId, { name: "Hot", filter: { score: { min: 50 } } });
    const { adjustScore } = await api.data(
      adjust,
      { input: { contactId: contactGlobalId(ada.id), delta: 15, reason: "Asked for a demo" } },
      workspace.secretKey,
    );
    expect(adjustScore.contact).toEqual({ score: 55, segments: [{ name: "Hot" }] });
    const { node } = await api.data(history, { id: contactGlobalId(ada.id) }, workspace.secretKey);
    expect(node.scoreHistory.edges[0].node).toMatchObject({
      kind: "MANUAL",
      reason: "Asked for a demo",
    });

    const other = await createTestWorkspace(api);
    const foreign = await api.data(
      adjust,
      { input: { contactId: contactGlobalId(ada.id), delta: 5, reason: "x" } },
      other.secretKey,
    );
    expect(foreign.adjustScore.__typename).toBe("NotFoundError");
    const zero = await api.data(
      adjust,
      { input: { contactId: contactGlobalId(ada.id), delta: 0, reason: "x" } },
      workspace.secretKey,
    );
    expect(zero.adjustScore.__typename).toBe("InvalidInputError");
  });

  it("decays inactive contacts once per period and starts over after activity", async () => {
    await setScoreDecay(workspace.rowId, { inactiveDays: 30, percent: 10 });
    const idle = await makeContact(workspace.rowId, { score: 100, lastSeenAt: daysAgo(35) });
    const active = await makeContact(workspace.rowId, { score: 100, lastSeenAt: daysAgo(2) });
    const segment = await createSegment(
      workspace.rowId,
      { name: "Hot", filter: { score: { min: 95 } } },
      { now: testNow },
    );
    const score = async (id: string) =>
      (await db().contact.findFirstOrThrow({ where: { id } })).score;

    await decayScores({ now: testNow });
    expect(await score(idle.id)).toBe(90);
    expect(await score(active.id)).toBe(100);
    await decayScores({ now: testNow }); // the same period again
    expect(await score(idle.id)).toBe(90);
    await decayScores({ now: daysAgo(-30) }); // a second full period
    expect(await score(idle.id)).toBe(81);

    const queued = await db().$queryRaw<{ key: string }[]>`
      SELECT key FROM graphile_worker._private_jobs WHERE key = ${`refresh_segment:${segment.id}`}`;
    expect(queued).toHaveLength(1);
    expect(await memberIds(segment.id)).toEqual([active.id, idle.id].sort());
  });
});
