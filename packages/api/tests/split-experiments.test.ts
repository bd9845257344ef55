import { createHash } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { decideSplitWinners } from "../src/domain/analytics/decide-split-winners.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import type { RunState } from "../src/domain/scenarios/runs/run-types.ts";
import { createFlowTemplate, liveScenario, runsOf, track } from "./scenario-fixtures.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { hour, runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();

async function signUps(workspaceId: string, prefix: string, count: number, at: Date) {
  const contacts = [];
  for (let i = 0; i < count; i++) {
    const { contact } = await upsertContact(workspaceId, {
      email: `${prefix}-${i}@example.com`,
      consent: { status: "SUBSCRIBED", source: "test" },
    });
    await track(workspaceId, contact.email!, at, { name: "Signed Up" });
    contacts.push(contact);
  }
  await runDueWork(at);
  return contacts;
}

/** The branch the split's documented stable draw gives a run: sha256(run:node) over the weights. */
function drawOf(runId: string, nodeId: string, branches: { name: string; weight: number }[]) {
  const total = branches.reduce((sum, b) => sum + b.weight, 0);
  let point =
    (createHash("sha256").update(`${runId}:${nodeId}`).digest().readUInt32BE(0) / 2 ** 32) * total;
  for (const branch of branches) {
    point -= branch.weight;
    if (point < 0) return branch.name;
  }
  return branches.at(-1)?.name;
}

async function mailingShop() {
  const shop = await createTestShop(api);
  await updateEmailSettings(shop.id, {
    shopName: "Northwind",
    postalAddress: "1 Main St",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 1000,
  });
  return shop;
}

async function buy(shop: { secretKey: string }, buyers: { email: string | null }[], at: Date) {
  await api.data(
    `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
    {
      input: {
        orders: buyers.map((contact, index) => ({
          orderId: `O-${at.getTime()}-${index}`,
          customer: { email: contact.email },
          total: 40,
          orderedAt: at.toISOString(),
        })),
      },
    },
    shop.secretKey,
  );
}

// The two experiments sign up 80 contacts each and take about 4 s alone, several times that on
// a loaded CI machine.
describe("A/B experiments", () => {
  it("waits for matured runs, picks the branch that is best with the split's confidence, and sends every later run to it", async () => {
    const shop = await createTestShop(api);
    await updateEmailSettings(shop.id, {
      shopName: "Northwind",
      postalAddress: "1 Main St",
      fromEmail: "hello@northwind.example",
      sendRatePerSecond: 1000,
    });
    const a = await createFlowTemplate(shop.id, "Ten percent");
    const b = await createFlowTemplate(shop.id, "Free shipping");
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Signed Up" },
      start: "ab",
      nodes: [
        {
          id: "ab",
          kind: "split",
          branches: [
            { name: "ten", weight: 1, next: "mail-a" },
            { name: "ship", weight: 1, next: "mail-b" },
          ],
          experiment: { windowHours: 24, minimumRunsPerBranch: 20, confidence: 0.95 },
        },
        { id: "mail-a", kind: "send_email", templateId: a.id },
        { id: "mail-b", kind: "send_email", templateId: b.id },
      ],
    });
    const start = new Date("2026-11-02T09:00:00Z");
    const contacts = await signUps(shop.id, "ab", 80, start);
    const runs = await runsOf(scenario.id);
    const branchOf = new Map(
      runs.map((run) => [run.contactId, (run.state as RunState).splits?.ab]),
    );
    const ten = contacts.filter((c) => branchOf.get(c.id) === "ten");
    const ship = contacts.filter((c) => branchOf.get(c.id) === "ship");
    expect(ten.length).toBeGreaterThanOrEqual(20);
    expect(ship.length).toBeGreaterThanOrEqual(20);
    // "ten" converts 60 %, "ship" 10 %, two hours after the split.
    const buyers = [
      ...ten.slice(0, Math.round(ten.length * 0.6)),
      ...ship.slice(0, Math.round(ship.length * 0.1)),
    ];
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      {
        input: {
          orders: buyers.map((contact, index) => ({
            orderId: `AB-${index}`,
            customer: { email: contact.email },
            total: 40,
            orderedAt: new Date(start.getTime() + 2 * hour).toISOString(),
          })),
        },
      },
      shop.secretKey,
    );

    // Within the window the runs are not matured yet: no decision.
    expect(await decideSplitWinners({ now: new Date(start.getTime() + 12 * hour) })).toEqual([]);
    const decided = await decideSplitWinners({ now: new Date(start.getTime() + 25 * hour) });
    expect(decided).toEqual([
      {
        scenarioId: scenario.id,
        nodeId: "ab",
        branch: "ten",
        metric: "conversion",
        reason: "confidence reached",
        probability: expect.any(Number),
        applied: true,
      },
    ]);
    expect(decided[0]!.probability).toBeGreaterThanOrEqual(0.95);
    // Decided once: the next sweep leaves it.
    expect(await decideSplitWinners({ now: new Date(start.getTime() + 26 * hour) })).toEqual([]);

    const later = new Date(start.getTime() + 27 * hour);
    const newcomers = await signUps(shop.id, "late", 10, later);
    const newRuns = (await runsOf(scenario.id)).filter((run) =>
      newcomers.some((c) => c.id === run.contactId),
    );
    expect(newRuns.map((run) => (run.state as RunState).splits?.ab)).toEqual(Array(10).fill("ten"));
    expect(newRuns[0]!.history.find((s) => s.nodeId === "ab")?.reason).toBe(
      "the winner (decided by the experiment)",
    );

    const report = await api.data(
      `query($id: ID!) { scenarioSplitReport(scenarioId: $id, nodeId: "ab", period: { from: "2026-11-01", to: "2026-11-30" }) {
        ... on QueryScenarioSplitReportSuccess { data { winner { branch decidedBy probability } branches { branch runs converted } } }
      } }`,
      { id: encodeGlobalID("Scenario", scenario.id) },
      shop.secretKey,
    );
    expect(report.scenarioSplitReport.data.winner).toMatchObject({
      branch: "ten",
      decidedBy: "experiment",
    });
    expect(report.scenarioSplitReport.data.branches[0]).toMatchObject({
      branch: "ten",
      runs: ten.length + 10,
      converted: Math.round(ten.length * 0.6),
    });
  }, 90_000);

  it("lets a marketer choose or clear the winner by hand, naming a bad branch", async () => {
    const shop = await createTestShop(api);
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "api" },
      start: "ab",
      nodes: [
        {
          id: "ab",
          kind: "split",
          branches: [
            { name: "x", weight: 1 },
            { name: "y", weight: 1 },
          ],
        },
      ],
    });
    const choose = (branch: string | null, nodeId = "ab", key = shop.secretKey) =>
      api
        .data(
          `mutation($id: ID!, $node: String!, $branch: String) { chooseSplitWinner(scenarioId: $id, nodeId: $node, branch: $branch) {
            __typename
            ... on MutationChooseSplitWinnerSuccess { result { winner { branch decidedBy } } }
            ... on InvalidInputError { problems { path message } }
          } }`,
          { id: encodeGlobalID("Scenario", scenario.id), node: nodeId, branch },
          key,
        )
        .then((result) => result.chooseSplitWinner);
    expect(await choose("z")).toEqual({
      __typename: "InvalidInputError",
      problems: [{ path: ["branch"], message: 'is not a branch of "ab": x, y' }],
    });
    expect((await choose("x", "nope")).problems[0].path).toEqual(["nodeId"]);
    const reader = (await shop.makeKey("SECRET", ["SCENARIOS_READ"])).key;
    expect((await choose("x", "ab", reader)).__typename).toBe("ForbiddenError");
    expect(await db().scenarioSplitWinner.count({ where: { scenarioId: scenario.id } })).toBe(0);

    expect((await choose("y")).result.winner).toEqual({ branch: "y", decidedBy: "manual" });
    const { contact } = await upsertContact(shop.id, { email: "p@example.com" });
    const started = await api.data(
      `mutation($id: ID!, $contact: ID!) { startScenario(input: { scenarioId: $id, contactId: $contact }) { __typename } }`,
      {
        id: encodeGlobalID("Scenario", scenario.id),
        contact: encodeGlobalID("Contact", contact.id),
      },
      shop.secretKey,
    );
    expect(started.startScenario.__typename).toMatch(/Success$/);
    const [run] = await runsOf(scenario.id);
    expect((run!.state as RunState).splits?.ab).toBe("y");
    expect((await choose(null)).result.winner).toBeNull();
    expect(await db().scenarioSplitWinner.count({ where: { scenarioId: scenario.id } })).toBe(0);
  });

  it("holds the holdout branch back from marketing mail, never lets it win, and keeps its share after a winner", async () => {
    const shop = await mailingShop();
    const a = await createFlowTemplate(shop.id, "Ten percent");
    const b = await createFlowTemplate(shop.id, "Free shipping");
    const account = await createFlowTemplate(shop.id, "Your account", "TRANSACTIONAL");
    const news = await createFlowTemplate(shop.id, "Newsletter");
    const branches = [
      { name: "A", weight: 1, next: "mail-a" },
      { name: "B", weight: 1, next: "mail-b" },
      { name: "H", weight: 1, holdout: true, next: "account" },
    ];
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Signed Up" },
      start: "ab",
      nodes: [
        {
          id: "ab",
          kind: "split",
          branches,
          experiment: { windowHours: 24, minimumRunsPerBranch: 10, confidence: 0.9 },
        },
        { id: "mail-a", kind: "send_email", templateId: a.id },
        { id: "mail-b", kind: "send_email", templateId: b.id },
        { id: "account", kind: "send_email", templateId: account.id, next: "news" },
        { id: "news", kind: "send_email", templateId: news.id },
      ],
    });
    const start = new Date("2026-11-02T09:00:00Z");
    const contacts = await signUps(shop.id, "hb", 66, start);
    const runs = await runsOf(scenario.id);
    const branchOf = new Map(
      runs.map((run) => [run.contactId, (run.state as RunState).splits?.ab]),
    );
    const inBranch = (name: string) => contacts.filter((c) => branchOf.get(c.id) === name);
    for (const name of ["A", "B", "H"]) expect(inBranch(name).length).toBeGreaterThanOrEqual(10);
    const mailOf = { A: a.id, B: b.id };
    for (const run of runs) {
      const branch = (run.state as RunState).splits?.ab as "A" | "B" | "H";
      const sent = await db().message.findMany({
        where: { scenarioRunId: run.id },
        select: { templateId: true },
      });
      if (branch === "H") {
        // Transactional mail still goes; the marketing send after it is skipped and says why.
        expect(sent.map((m) => m.templateId)).toEqual([account.id]);
        expect(run.history.find((s) => s.nodeId === "ab")?.reason).toBe(
          "the holdout branch: no marketing mail from here on",
        );
        expect(run.history.find((s) => s.nodeId === "news")?.reason).toBe(
          'held out: the holdout branch of split "ab"',
        );
        expect(run.status).toBe("COMPLETED");
      } else {
        expect(sent.map((m) => m.templateId)).toEqual([mailOf[branch]]);
      }
    }
    // Everyone held out buys: the holdout converts best, yet A (60 %) beats B (10 %) and wins.
    const held = inBranch("H");
    const ten = inBranch("A");
    const ship = inBranch("B");
    await buy(
      shop,
      [...held, ...ten.slice(0, Math.round(ten.length * 0.6)), ...ship.slice(0, 1)],
      new Date(start.getTime() + 2 * hour),
    );
    const decided = await decideSplitWinners({ now: new Date(start.getTime() + 25 * hour) });
    expect(decided.filter((d) => d.scenarioId === scenario.id).map((d) => d.branch)).toEqual(["A"]);

    const choose = await api.data(
      `mutation($id: ID!) { chooseSplitWinner(scenarioId: $id, nodeId: "ab", branch: "H") {
        __typename ... on InvalidInputError { problems { path message } }
      } }`,
      { id: encodeGlobalID("Scenario", scenario.id) },
      shop.secretKey,
    );
    expect(choose.chooseSplitWinner).toEqual({
      __typename: "InvalidInputError",
      problems: [
        {
          path: ["branch"],
          message: 'is the holdout branch of "ab"; it keeps its share and cannot win',
        },
      ],
    });

    // After the winner, a run the draw sends to the holdout still goes there; every other run takes A.
    const newcomers = await signUps(shop.id, "hb-late", 30, new Date(start.getTime() + 27 * hour));
    const newRuns = (await runsOf(scenario.id)).filter((run) =>
      newcomers.some((c) => c.id === run.contactId),
    );
    const expected = newRuns.map((run) => (drawOf(run.id, "ab", branches) === "H" ? "H" : "A"));
    expect(newRuns.map((run) => (run.state as RunState).splits?.ab)).toEqual(expected);
    expect(expected).toContain("H");
    expect(expected).toContain("A");

    const report = await api.data(
      `query($id: ID!) { scenarioSplitReport(scenarioId: $id, nodeId: "ab", period: { from: "2026-11-01", to: "2026-11-30" }) {
        ... on QueryScenarioSplitReportSuccess { data { branches {
          branch holdout runs recipients probabilityToBeBest
          liftAgainstHoldout { treated { units } heldOut { units converted } conversionLift { estimate } }
        } } }
      } }`,
      { id: encodeGlobalID("Scenario", scenario.id) },
      shop.secretKey,
    );
    const [ra, rb, rh] = report.scenarioSplitReport.data.branches;
    const heldRuns = held.length + expected.filter((b) => b === "H").length;
    expect(rh).toMatchObject({
      branch: "H",
      holdout: true,
      runs: heldRuns,
      recipients: 0,
      probabilityToBeBest: null,
      liftAgainstHoldout: null,
    });
    expect(ra.liftAgainstHoldout.heldOut).toEqual({ units: heldRuns, converted: held.length });
    expect(ra.liftAgainstHoldout.treated.units).toBe(ra.runs);
    expect(rb.liftAgainstHoldout.conversionLift.estimate).toBeCloseTo(
      1 / ship.length - held.length / heldRuns,
      10,
    );
  }, 90_000);

  it("with autoSelect off records the end date's decision and keeps splitting", async () => {
    const shop = await mailingShop();
    const branches = [
      { name: "x", weight: 1 },
      { name: "y", weight: 1 },
    ];
    const start = new Date("2026-11-02T09:00:00Z");
    const endsAt = new Date(start.getTime() + 24 * hour);
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Signed Up" },
      start: "ab",
      nodes: [
        {
          id: "ab",
          kind: "split",
          branches,
          experiment: { windowHours: 12, endsAt: endsAt.toISOString(), autoSelect: false },
        },
      ],
    });
    const contacts = await signUps(shop.id, "rep", 20, start);
    const runs = await runsOf(scenario.id);
    const branchOf = new Map(
      runs.map((run) => [run.contactId, (run.state as RunState).splits?.ab]),
    );
    const ys = contacts.filter((c) => branchOf.get(c.id) === "y");
    expect(ys.length).toBeGreaterThan(0);
    await buy(shop, ys.slice(0, 1), new Date(start.getTime() + hour));

    expect(
      (await decideSplitWinners({ now: new Date(endsAt.getTime() - hour) })).filter(
        (d) => d.scenarioId === scenario.id,
      ),
    ).toEqual([]);
    const decided = (await decideSplitWinners({ now: endsAt })).filter(
      (d) => d.scenarioId === scenario.id,
    );
    expect(decided).toEqual([
      {
        scenarioId: scenario.id,
        nodeId: "ab",
        branch: "y",
        metric: "conversion",
        reason: "end date reached",
        probability: expect.any(Number),
        applied: false,
      },
    ]);

    const newcomers = await signUps(shop.id, "rep-late", 12, new Date(endsAt.getTime() + hour));
    const newRuns = (await runsOf(scenario.id)).filter((run) =>
      newcomers.some((c) => c.id === run.contactId),
    );
    expect(newRuns.map((run) => (run.state as RunState).splits?.ab)).toEqual(
      newRuns.map((run) => drawOf(run.id, "ab", branches)),
    );
    expect(newRuns.flatMap((run) => run.history.map((s) => s.reason ?? ""))).not.toContainEqual(
      expect.stringMatching(/winner/),
    );
    const report = await api.data(
      `query($id: ID!) { scenarioSplitReport(scenarioId: $id, nodeId: "ab", period: { from: "2026-11-01", to: "2026-11-30" }) {
        ... on QueryScenarioSplitReportSuccess { data { winner { branch reason applied decidedAt } } }
      } }`,
      { id: encodeGlobalID("Scenario", scenario.id) },
      shop.secretKey,
    );
    expect(report.scenarioSplitReport.data.winner).toEqual({
      branch: "y",
      reason: "end date reached",
      applied: false,
      decidedAt: endsAt.toISOString(),
    });
  });
});
