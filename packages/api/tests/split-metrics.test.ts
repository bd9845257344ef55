import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { decideSplitWinners } from "../src/domain/analytics/decide-split-winners.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import {
  recordEmailClick,
  recordEmailOpen,
} from "../src/domain/messages/engagement/record-engagement.ts";
import { validateDefinition } from "../src/domain/scenarios/definition/validate-definition.ts";
import type { Prisma } from "../src/generated/prisma/client.ts";
import { completedSplitRun } from "./scenario-fixtures.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { hour } from "./support/scenarios.ts";

const api = makeTestApi();
const human = { userAgent: "Mozilla/5.0 (X11; Linux) Firefox/140.0", ip: "203.0.113.9" };
const applePrivacyProxy = { userAgent: "Mozilla/5.0", ip: "17.58.0.1" };
const entered = new Date("2026-11-04T10:00:00Z");
const period = { from: "2026-11-01", to: "2026-11-30" };

/** What happens to a branch's runs, by index within the branch. */
interface BranchPlan {
  runs: number;
  /** Run indexes that get a marketing mail after the split (default: all). */
  mailed?: (i: number) => boolean;
  humanOpen?: (i: number) => boolean;
  machineOpen?: (i: number) => boolean;
  humanClick?: (i: number) => boolean;
  /** A click 3 s after the send: a link scanner's. */
  botClick?: (i: number) => boolean;
  /** The order total (major units) a run's contact places 3 h after the split, if any. */
  buys?: (i: number) => number | null;
}

/**
 * A live scenario whose splits (every split node of `nodes`, in order) each saw the same runs:
 * run i of branch b took b at every split, then got its mail, opens, clicks and order.
 */
async function seededSplits(nodes: unknown[], plans: Record<string, BranchPlan>) {
  const shop = await createTestShop(api);
  const definition = (await validateDefinition({
    version: 1,
    trigger: { kind: "api" },
    start: (nodes[0] as { id: string }).id,
    nodes,
  })) as unknown as Prisma.InputJsonObject;
  const scenario = await db().scenario.create({
    data: { workspaceId: shop.id, name: "A/B", definition, status: "LIVE" },
  });
  const version = await db().scenarioVersion.create({
    data: { scenarioId: scenario.id, workspaceId: shop.id, version: 1, definition },
  });
  await db().scenario.update({
    where: { id_workspaceId: { workspaceId: scenario.workspaceId, id: scenario.id } },
    data: { liveVersionId: version.id },
  });
  const splitIds = nodes.flatMap((node) => {
    const { id, kind } = node as { id: string; kind: string };
    return kind === "split" ? [id] : [];
  });
  const orders = [];
  for (const [branch, plan] of Object.entries(plans)) {
    for (let i = 0; i < plan.runs; i++) {
      const { contact } = await upsertContact(shop.id, {
        email: `${branch.toLowerCase()}-${i}@example.com`,
        consent: { status: "SUBSCRIBED", source: "test" },
      });
      const run = await completedSplitRun({
        workspaceId: shop.id,
        scenarioId: scenario.id,
        versionId: version.id,
        contactId: contact.id,
        splitIds,
        branch,
        enteredAt: entered,
      });
      if (plan.mailed?.(i) ?? true) {
        const message = await db().message.create({
          data: {
            workspaceId: shop.id,
            contactId: contact.id,
            kind: "MARKETING",
            idempotencyKey: `ab-${branch}-${i}`,
            status: "SENT",
            toEmail: contact.email!,
            sentAt: entered,
            queuedAt: entered,
            scenarioRunId: run.id,
            scenarioNodeId: `mail-${branch}`,
          },
        });
        const at = (ms: number) => new Date(entered.getTime() + ms);
        if (plan.humanOpen?.(i)) await recordEmailOpen(message.id, human, at(hour));
        if (plan.machineOpen?.(i)) await recordEmailOpen(message.id, applePrivacyProxy, at(hour));
        if (plan.humanClick?.(i)) {
          await recordEmailClick(message.id, "https://shop.example/a", human, at(2 * hour));
        }
        if (plan.botClick?.(i)) {
          await recordEmailClick(message.id, "https://shop.example/a", human, at(3_000));
        }
      }
      const total = plan.buys?.(i) ?? null;
      if (total !== null) {
        orders.push({
          orderId: `${branch}-${i}`,
          customer: { email: contact.email },
          currency: "USD",
          total,
          orderedAt: new Date(entered.getTime() + 3 * hour).toISOString(),
        });
      }
    }
  }
  if (orders.length > 0) {
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders } },
      shop.secretKey,
    );
  }
  return { shop, scenario };
}

const decisionsOf = async (scenarioId: string, now: Date) =>
  (await decideSplitWinners({ now })).filter((decision) => decision.scenarioId === scenarioId);

const experiment = { windowHours: 24, minimumRunsPerBranch: 20, confidence: 0.9 };

describe("A/B winner metrics", () => {
  // A: 50 mailed runs, 30 opened by people (10 of them clicked), 5 bought for 400.00.
  // B: 50 mailed runs, 10 opened by people (3 clicked) and 20 by Apple's privacy proxy only,
  //    15 clicked by a link scanner only, 15 bought for 30.00.
  // By hand: conversion A 5/50 = 0.10, B 15/50 = 0.30; open rate A 30/50 = 0.60, B 10/50 = 0.20
  // (0.60 if machine opens counted); click rate A 10/50 = 0.20, B 3/50 = 0.06 (0.36 with the
  // scanner's); revenue per recipient A 5 × 400.00 / 50 = 40.00, B 15 × 30.00 / 50 = 9.00.
  const plans: Record<string, BranchPlan> = {
    A: {
      runs: 50,
      humanOpen: (i) => i < 30,
      humanClick: (i) => i < 10,
      buys: (i) => (i < 5 ? 400 : null),
    },
    B: {
      runs: 50,
      humanOpen: (i) => i < 10,
      humanClick: (i) => i < 3,
      machineOpen: (i) => i >= 10 && i < 30,
      botClick: (i) => i >= 30 && i < 45,
      buys: (i) => (i < 15 ? 30 : null),
    },
  };
  const split = (id: string, metric: string, next: string | null) => ({
    id,
    kind: "split",
    branches: [
      { name: "A", weight: 1, next },
      { name: "B", weight: 1, next },
    ],
    experiment: { ...experiment, metric },
  });

  it("picks each metric's winner from the same runs, never counting machine opens or scanner clicks", async () => {
    const { shop, scenario } = await seededSplits(
      [
        split("by-conversion", "conversion", "by-opens"),
        split("by-opens", "open_rate", "by-clicks"),
        split("by-clicks", "click_rate", "by-revenue"),
        split("by-revenue", "revenue_per_recipient", null),
      ],
      plans,
    );
    // Within the 24 h window nothing has matured.
    expect(await decisionsOf(scenario.id, new Date(entered.getTime() + 12 * hour))).toEqual([]);
    const now = new Date(entered.getTime() + 25 * hour);
    const decided = await decisionsOf(scenario.id, now);
    const winnerOf = Object.fromEntries(decided.map((d) => [d.nodeId, d.branch]));
    // Open rate picks a different winner than conversion on the same runs.
    expect(winnerOf).toEqual({
      "by-conversion": "B",
      "by-opens": "A",
      "by-clicks": "A",
      "by-revenue": "A",
    });
    for (const decision of decided) {
      expect(decision.reason).toBe("confidence reached");
      expect(decision.applied).toBe(true);
      expect(decision.probability).toBeGreaterThanOrEqual(0.9);
    }
    const rows = await db().scenarioSplitWinner.findMany({ where: { scenarioId: scenario.id } });
    const evidence = (nodeId: string) =>
      rows.find((row) => row.nodeId === nodeId)?.evidence as Record<
        string,
        { units: number; value: number; probability: number }
      >;
    expect(evidence("by-conversion").B).toMatchObject({ units: 50, value: 0.3 });
    expect(evidence("by-opens").A).toMatchObject({ units: 50, value: 0.6 });
    expect(evidence("by-opens").B).toMatchObject({ units: 50, value: 0.2 });
    expect(evidence("by-clicks").B).toMatchObject({ value: 0.06 });
    // Minor units: 400.00 × 5 / 50 and 30.00 × 15 / 50.
    expect(evidence("by-revenue").A).toMatchObject({ value: 4000 });
    expect(evidence("by-revenue").B).toMatchObject({ value: 900 });
    for (const row of rows) {
      expect(row).toMatchObject({ decidedBy: "experiment", applied: true, decidedAt: now });
      expect(row.metric).toBe(
        {
          "by-conversion": "conversion",
          "by-opens": "open_rate",
          "by-clicks": "click_rate",
          "by-revenue": "revenue_per_recipient",
        }[row.nodeId],
      );
    }

    const report = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioSplitReport(scenarioId: $id, nodeId: "by-revenue", period: $period) {
          ... on QueryScenarioSplitReportSuccess { data {
            metric windowHours experiment { metric minimumRunsPerBranch confidence endsAt autoSelect }
            winner { branch decidedBy reason metric applied probability }
            branches { branch holdout recipients opened clicked openRate clickRate conversionRate
                       revenuePerRecipient { amount } probabilityToBeBest liftAgainstHoldout { verdict } }
          } }
        }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    const data = report.scenarioSplitReport.data;
    expect(data).toMatchObject({
      metric: "revenue_per_recipient",
      windowHours: 24,
      experiment: {
        metric: "revenue_per_recipient",
        minimumRunsPerBranch: 20,
        confidence: 0.9,
        endsAt: null,
        autoSelect: true,
      },
      winner: {
        branch: "A",
        decidedBy: "experiment",
        reason: "confidence reached",
        metric: "revenue_per_recipient",
        applied: true,
      },
    });
    const [a, b] = data.branches;
    expect(a).toMatchObject({
      branch: "A",
      holdout: false,
      recipients: 50,
      opened: 30,
      clicked: 10,
      openRate: 0.6,
      clickRate: 0.2,
      conversionRate: 0.1,
      revenuePerRecipient: { amount: "40.00" },
      liftAgainstHoldout: null,
    });
    expect(b).toMatchObject({
      opened: 10,
      clicked: 3,
      openRate: 0.2,
      revenuePerRecipient: { amount: "9.00" },
    });
    expect(a.probabilityToBeBest).toBe(data.winner.probability);
    expect(a.probabilityToBeBest + b.probabilityToBeBest).toBeCloseTo(1, 10);
  });

  it("at the end date picks the leader below the sample and the confidence; without autoSelect it only reports", async () => {
    const endsAt = new Date(entered.getTime() + 48 * hour);
    const ending = (id: string, autoSelect: boolean, next: string | null) => ({
      id,
      kind: "split",
      branches: [
        { name: "A", weight: 1, next },
        { name: "B", weight: 1, next },
      ],
      experiment: { windowHours: 24, endsAt: endsAt.toISOString(), autoSelect },
    });
    // A: 3 of 20 bought, B: 5 of 20. Far from 95 % sure, and no minimum to reach.
    const { scenario } = await seededSplits(
      [ending("applied", true, "reported"), ending("reported", false, null)],
      {
        A: { runs: 20, buys: (i) => (i < 3 ? 20 : null) },
        B: { runs: 20, buys: (i) => (i < 5 ? 20 : null) },
      },
    );
    expect(await decisionsOf(scenario.id, new Date(endsAt.getTime() - hour))).toEqual([]);
    const decided = await decisionsOf(scenario.id, endsAt);
    expect(decided.map((d) => [d.nodeId, d.branch, d.reason, d.applied])).toEqual([
      ["applied", "B", "end date reached", true],
      ["reported", "B", "end date reached", false],
    ]);
    const probability = decided[0]!.probability;
    expect(probability).toBeGreaterThan(0.5);
    expect(probability).toBeLessThan(0.95);
    const rows = await db().scenarioSplitWinner.findMany({
      where: { scenarioId: scenario.id },
      orderBy: { nodeId: "asc" },
    });
    expect(rows.map((r) => [r.nodeId, r.reason, r.applied, r.probability, r.decidedAt])).toEqual([
      ["applied", "end date reached", true, probability, endsAt],
      ["reported", "end date reached", false, probability, endsAt],
    ]);
    // Decided once: later sweeps leave both.
    expect(await decisionsOf(scenario.id, new Date(endsAt.getTime() + hour))).toEqual([]);
  });
});
