import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { compareGroups } from "../src/domain/analytics/lift-statistics.ts";
import { probabilityToBeBest } from "../src/domain/analytics/probability-best.ts";
import {
  bootstrapBuyerLimit,
  probabilityToBeBestByMean,
} from "../src/domain/analytics/probability-best-mean.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import {
  recordEmailClick,
  recordEmailOpen,
} from "../src/domain/messages/engagement/record-engagement.ts";
import { holdoutBucket, isHeldOut } from "../src/domain/workspaces/holdout-groups.ts";
import type { Prisma } from "../src/generated/prisma/client.ts";
import {
  completedSplitRun,
  createFlowTemplate,
  liveScenario,
  runsOf,
  track,
} from "./scenario-fixtures.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { hour, runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();
const human = { userAgent: "Mozilla/5.0 (X11; Linux) Firefox/140.0", ip: "203.0.113.9" };

describe("holdout buckets", () => {
  it("are stable per contact, independent per scope, close to the share asked, and move with the salt", () => {
    const ids = Array.from(
      { length: 10_000 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const held = ids.filter((id) => isHeldOut("salt-1", "scenario-a", id, 20));
    expect(held.length / ids.length).toBeGreaterThan(0.185);
    expect(held.length / ids.length).toBeLessThan(0.215);
    expect(ids.filter((id) => isHeldOut("salt-1", "scenario-a", id, 20))).toEqual(held);
    const otherScope = new Set(ids.filter((id) => isHeldOut("salt-1", "scenario-b", id, 20)));
    const both = held.filter((id) => otherScope.has(id)).length;
    expect(both / ids.length).toBeGreaterThan(0.03); // independent draws: about 20 % × 20 %
    expect(both / ids.length).toBeLessThan(0.05);
    const rotated = new Set(ids.filter((id) => isHeldOut("salt-2", "scenario-a", id, 20)));
    expect(held.filter((id) => rotated.has(id)).length / held.length).toBeLessThan(0.3);
    expect(isHeldOut("salt-1", "scenario-a", ids[0]!, 0)).toBe(false);
    expect(holdoutBucket("salt-1", "scenario-a", ids[0]!)).toBeGreaterThanOrEqual(0);
  });
});

describe("compareGroups", () => {
  it("gives the lift, its interval and the verdict worked out by hand", () => {
    // 100 mailed runs, 20 bought for 50.00; 100 held out, 10 bought for 50.00.
    const treated = {
      units: 100,
      converted: 20,
      revenue: 100_000n,
      revenueSquares: 20 * 5000 ** 2,
    };
    const heldOut = { units: 100, converted: 10, revenue: 50_000n, revenueSquares: 10 * 5000 ** 2 };
    const result = compareGroups(treated, heldOut);
    // se = √(.2·.8/100 + .1·.9/100) = .05
    expect(result.conversionLift!.estimate).toBeCloseTo(0.1, 12);
    expect(result.conversionLift!.low).toBeCloseTo(0.1 - 1.959964 * 0.05, 6);
    // per-unit means 1000 and 500; variances 4e8/99 and 2.25e8/99; se = √(40404.04 + 22727.27)
    const se = Math.sqrt(4e8 / 99 / 100 + 2.25e8 / 99 / 100);
    expect(result.incrementalRevenue!.estimate).toBeCloseTo(50_000, 6);
    expect(result.incrementalRevenue!.low).toBeCloseTo((500 - 1.959964 * se) * 100, 4);
    // MDE = (1.96 + 0.84) · √(.15 · .85 · (1/100 + 1/100))
    expect(result.minimumDetectableEffect).toBeCloseTo(2.801585 * Math.sqrt(0.15 * 0.85 * 0.02), 5);
    expect(result.verdict).toBe("LIFT");
    expect(result.warning).toBeNull();
  });

  it("says plainly when the groups are too small or the difference cannot be told", () => {
    const small = compareGroups(
      { units: 12, converted: 3, revenue: 15_000n, revenueSquares: 3 * 5000 ** 2 },
      { units: 4, converted: 0, revenue: 0n, revenueSquares: 0 },
    );
    expect(small.verdict).toBe("TOO_FEW_CONTACTS");
    expect(small.warning).toMatch(/12 mailed and 4 held out/);
    const even = compareGroups(
      { units: 200, converted: 20, revenue: 100_000n, revenueSquares: 20 * 5000 ** 2 },
      { units: 200, converted: 19, revenue: 95_000n, revenueSquares: 19 * 5000 ** 2 },
    );
    expect(even.verdict).toBe("NO_DIFFERENCE_DETECTED");
    expect(even.warning).toMatch(/only a conversion difference above \d+\.\d points/);
    expect(
      compareGroups(even.treated, { units: 0, converted: 0, revenue: 0n, revenueSquares: 0 })
        .warning,
    ).toMatch(/Nobody was held out/);
  });
});

describe("probabilityToBeBest", () => {
  it("is even for equal arms, decisive for a clear winner, sums to one, and repeats itself", () => {
    const equal = probabilityToBeBest([
      { units: 500, converted: 50 },
      { units: 500, converted: 50 },
    ]);
    expect(equal[0]).toBeGreaterThan(0.47);
    expect(equal[0]).toBeLessThan(0.53);
    const clear = probabilityToBeBest([
      { units: 1000, converted: 50 },
      { units: 1000, converted: 80 },
      { units: 1000, converted: 55 },
    ]);
    expect(clear[1]).toBeGreaterThan(0.97);
    expect(clear.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(
      probabilityToBeBest([
        { units: 1000, converted: 50 },
        { units: 1000, converted: 80 },
        { units: 1000, converted: 55 },
      ]),
    ).toEqual(clear);
  });
});

describe("probabilityToBeBestByMean", () => {
  it("shares ties, is certain when only one arm has revenue, agrees with a normal approximation, and repeats itself", () => {
    expect(
      probabilityToBeBestByMean([
        { units: 50, nonZero: [] },
        { units: 80, nonZero: [] },
      ]),
    ).toEqual([0.5, 0.5]);
    expect(
      probabilityToBeBestByMean([
        { units: 50, nonZero: [] },
        { units: 50, nonZero: [100] },
      ]),
    ).toEqual([0, 1]);
    // 200 units each; A: 40 buyers of 50.00, B: 30 buyers of 50.00. Means 1000 and 750 (minor),
    // standard errors √(5000²·.2·.8/200) and √(5000²·.15·.85/200): P(A best) ≈ Φ(250/√(··)).
    const arms = [
      { units: 200, nonZero: Array(40).fill(5000) },
      { units: 200, nonZero: Array(30).fill(5000) },
    ];
    const chances = probabilityToBeBestByMean(arms);
    const z = 250 / Math.sqrt((5000 ** 2 * 0.16) / 200 + (5000 ** 2 * 0.1275) / 200);
    const normal = 0.5 * (1 + erf(z / Math.SQRT2));
    expect(Math.abs(chances[0]! - normal)).toBeLessThan(0.03);
    expect(chances[0]! + chances[1]!).toBeCloseTo(1, 10);
    expect(probabilityToBeBestByMean(arms)).toEqual(chances);
    // Past the buyer limit the normal approximation answers. 4,000 units each, 800 and 760
    // buyers of 50.00: means 1000 and 950, se = √((5000²·.2·.8 + 5000²·.19·.81)/4000).
    const large = [
      { units: 4000, nonZero: Array(800).fill(5000) },
      { units: 4000, nonZero: Array(760).fill(5000) },
    ];
    expect(large[0]!.nonZero.length + large[1]!.nonZero.length).toBeGreaterThan(
      bootstrapBuyerLimit,
    );
    const zLarge = 50 / Math.sqrt((5000 ** 2 * 0.16 + 5000 ** 2 * 0.1539) / 4000);
    const normalLarge = 0.5 * (1 + erf(zLarge / Math.SQRT2));
    expect(Math.abs(probabilityToBeBestByMean(large)[0]! - normalLarge)).toBeLessThan(0.01);
  });
});

/** Abramowitz and Stegun 7.1.26, |error| < 1.5e-7. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

async function subscribedContacts(workspaceId: string, count: number, prefix: string) {
  const contacts = [];
  for (let i = 0; i < count; i++) {
    const { contact } = await upsertContact(workspaceId, {
      email: `${prefix}-${i}@example.com`,
      consent: { status: "SUBSCRIBED", source: "test" },
    });
    contacts.push(contact);
  }
  return contacts;
}

describe("holdouts in the engine", () => {
  it("keeps the scenario's and the control group's contacts from its marketing mail, never from transactional mail", async () => {
    const shop = await createTestShop(api);
    await updateEmailSettings(shop.id, {
      shopName: "Northwind",
      postalAddress: "1 Main St",
      fromEmail: "hello@northwind.example",
      sendRatePerSecond: 1000,
    });
    const welcome = await createFlowTemplate(shop.id, "Welcome");
    const account = await createFlowTemplate(shop.id, "Your account", "TRANSACTIONAL");
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Signed Up" },
      holdout: { percent: 40 },
      start: "welcome",
      nodes: [
        { id: "welcome", kind: "send_email", templateId: welcome.id, next: "account" },
        { id: "account", kind: "send_email", templateId: account.id },
      ],
    });
    const settings = await api.data(
      `mutation { updateHoldoutSettings(input: { controlGroupPercent: 20 }) {
        __typename ... on MutationUpdateHoldoutSettingsSuccess { settings { controlGroupPercent } }
      } }`,
      {},
      shop.secretKey,
    );
    expect(settings.updateHoldoutSettings.settings.controlGroupPercent).toBe(20);
    const { holdoutSalt } = await db().workspace.findUniqueOrThrow({ where: { id: shop.id } });

    const now = new Date("2026-11-02T09:00:00Z");
    const contacts = await subscribedContacts(shop.id, 40, "signup");
    for (const contact of contacts)
      await track(shop.id, contact.email!, now, { name: "Signed Up" });
    await runDueWork(now);

    const runs = await runsOf(scenario.id);
    expect(runs).toHaveLength(40);
    const groups = new Set<string | null>();
    for (const run of runs) {
      const expected = isHeldOut(holdoutSalt, "control_group", run.contactId, 20)
        ? "control_group"
        : isHeldOut(holdoutSalt, scenario.id, run.contactId, 40)
          ? "scenario"
          : null;
      expect(run.holdout).toBe(expected);
      groups.add(run.holdout);
      const sent = await db().message.findMany({
        where: { scenarioRunId: run.id },
        select: { templateId: true },
      });
      expect(sent.map((m) => m.templateId)).toEqual(
        run.holdout ? [account.id] : [welcome.id, account.id],
      );
      if (run.holdout) {
        expect(run.history.find((step) => step.nodeId === "welcome")?.reason).toMatch(
          /^held out: /,
        );
      }
    }
    expect(groups).toEqual(new Set([null, "scenario", "control_group"]));

    const run = await api.data(
      `query($id: ID!) { node(id: $id) { ... on ScenarioRun { holdout } } }`,
      { id: encodeGlobalID("ScenarioRun", runs[0]!.id) },
      shop.secretKey,
    );
    expect(run.node.holdout).toBe(runs[0]!.holdout);

    const rotated = await api.data(
      `mutation { updateHoldoutSettings(input: { rotateSalt: true }) { __typename } }`,
      {},
      shop.secretKey,
    );
    expect(rotated.updateHoldoutSettings.__typename).toBe("MutationUpdateHoldoutSettingsSuccess");
    const after = await db().workspace.findUniqueOrThrow({ where: { id: shop.id } });
    expect(after.holdoutSalt).not.toBe(holdoutSalt);
    expect((await runsOf(scenario.id)).map((r) => r.holdout)).toEqual(runs.map((r) => r.holdout));

    const tooBig = await api.data(
      `mutation { updateHoldoutSettings(input: { controlGroupPercent: 80 }) {
        __typename ... on InvalidInputError { problems { path } }
      } }`,
      {},
      shop.secretKey,
    );
    expect(tooBig.updateHoldoutSettings).toEqual({
      __typename: "InvalidInputError",
      problems: [{ path: ["controlGroupPercent"] }],
    });
  });
});

describe("holdout and split reports", () => {
  const period = { from: "2026-11-01", to: "2026-11-30" };

  async function seededScenario(definition: Prisma.InputJsonObject) {
    const shop = await createTestShop(api);
    const scenario = await db().scenario.create({
      data: { workspaceId: shop.id, name: "Flow", definition },
    });
    const version = await db().scenarioVersion.create({
      data: { scenarioId: scenario.id, workspaceId: shop.id, version: 1, definition },
    });
    return { shop, scenario, version };
  }

  it("compares mailed and held-out runs by their contacts' orders within the window", async () => {
    const { shop, scenario, version } = await seededScenario({});
    const contacts = await subscribedContacts(shop.id, 80, "h");
    const start = new Date("2026-11-03T10:00:00Z");
    const orders = [];
    for (const [index, contact] of contacts.entries()) {
      const heldOut = index >= 40;
      await db().scenarioRun.create({
        data: {
          workspaceId: shop.id,
          scenarioId: scenario.id,
          versionId: version.id,
          contactId: contact.id,
          trigger: {},
          startedAt: start,
          status: "COMPLETED",
          holdout: heldOut ? "scenario" : null,
        },
      });
      // Mailed: 20 of 40 buy for 50.00 a day later. Held out: 8 of 40 do. One more held-out
      // contact buys, but 6 days later: outside the 120 h window.
      const buys = heldOut ? index < 48 : index < 20;
      const late = index === 79;
      if (buys || late) {
        orders.push({
          orderId: `H-${index}`,
          customer: { email: contact.email },
          currency: "USD",
          total: 50,
          orderedAt: new Date(start.getTime() + (late ? 144 : 24) * hour).toISOString(),
        });
      }
    }
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders } },
      shop.secretKey,
    );
    const report = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!, $window: Int) {
        scenarioHoldoutReport(scenarioId: $id, period: $period, windowHours: $window) {
          __typename
          ... on QueryScenarioHoldoutReportSuccess { data {
            windowHours verdict warning minimumDetectableEffect
            treated { units converted conversionRate revenue { amount } revenuePerUnit { amount } }
            heldOut { units converted conversionRate revenue { amount } revenuePerUnit { amount } }
            conversionLift { estimate low high }
            incrementalRevenue { estimate { amount } low { amount } high { amount } }
          } }
          ... on Error { message }
        }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    const data = report.scenarioHoldoutReport.data;
    expect(data.windowHours).toBe(120);
    expect(data.treated).toEqual({
      units: 40,
      converted: 20,
      conversionRate: 0.5,
      revenue: { amount: "1000.00" },
      revenuePerUnit: { amount: "25.00" },
    });
    expect(data.heldOut).toEqual({
      units: 40,
      converted: 8,
      conversionRate: 0.2,
      revenue: { amount: "400.00" },
      revenuePerUnit: { amount: "10.00" },
    });
    expect(data.conversionLift.estimate).toBeCloseTo(0.3, 10);
    // (25.00 − 10.00) × 40 mailed runs
    expect(data.incrementalRevenue.estimate.amount).toBe("600.00");
    expect(data.verdict).toBe("LIFT");

    const wider = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioHoldoutReport(scenarioId: $id, period: $period, windowHours: 200) {
          ... on QueryScenarioHoldoutReportSuccess { data { heldOut { converted } } }
        }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    expect(wider.scenarioHoldoutReport.data.heldOut.converted).toBe(9);

    const stranger = await createTestShop(api);
    const hidden = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioHoldoutReport(scenarioId: $id, period: $period) { __typename }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      stranger.secretKey,
    );
    expect(hidden.scenarioHoldoutReport.__typename).toBe("NotFoundError");
  });

  it("compares the workspace's control group with everyone else who entered a scenario", async () => {
    const { shop, scenario, version } = await seededScenario({});
    const contacts = await subscribedContacts(shop.id, 60, "cg");
    const start = new Date("2026-11-05T10:00:00Z");
    const orders = [];
    for (const [index, contact] of contacts.entries()) {
      // 20 in the control group, 30 mailed, 10 held out by the scenario only (still "not control").
      const holdout = index < 20 ? "control_group" : index >= 50 ? "scenario" : null;
      await db().scenarioRun.create({
        data: {
          workspaceId: shop.id,
          scenarioId: scenario.id,
          versionId: version.id,
          contactId: contact.id,
          trigger: {},
          startedAt: start,
          status: "COMPLETED",
          holdout,
        },
      });
      // 2 of the control group buy, 12 of the other 40.
      if (index < 2 || (index >= 20 && index < 32)) {
        orders.push({
          orderId: `CG-${index}`,
          customer: { email: contact.email },
          currency: "USD",
          total: 30,
          orderedAt: new Date(start.getTime() + 48 * hour).toISOString(),
        });
      }
    }
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders } },
      shop.secretKey,
    );
    const { controlGroupReport } = await api.data(
      `query($period: ReportingPeriodInput!) { controlGroupReport(period: $period) {
        ... on QueryControlGroupReportSuccess { data {
          treated { units converted revenue { amount } } heldOut { units converted revenue { amount } }
        } }
      } }`,
      { period },
      shop.secretKey,
    );
    expect(controlGroupReport.data).toEqual({
      treated: { units: 40, converted: 12, revenue: { amount: "360.00" } },
      heldOut: { units: 20, converted: 2, revenue: { amount: "60.00" } },
    });
  });

  it("reports each split branch with human opens and clicks, conversion, revenue and its chance to be best", async () => {
    const definition = {
      nodes: [{ id: "ab", kind: "split", branches: [{ name: "A" }, { name: "B" }, { name: "C" }] }],
    };
    const { shop, scenario, version } = await seededScenario(definition);
    const contacts = await subscribedContacts(shop.id, 80, "s");
    const entered = new Date("2026-11-04T10:00:00Z");
    const orders = [];
    for (const [index, contact] of contacts.entries()) {
      const branch = index < 40 ? "A" : "B";
      const run = await completedSplitRun({
        workspaceId: shop.id,
        scenarioId: scenario.id,
        versionId: version.id,
        contactId: contact.id,
        splitIds: ["ab"],
        branch,
        enteredAt: entered,
      });
      const message = await db().message.create({
        data: {
          workspaceId: shop.id,
          contactId: contact.id,
          kind: "MARKETING",
          idempotencyKey: `split-${index}`,
          status: "SENT",
          toEmail: contact.email!,
          sentAt: entered,
          queuedAt: entered,
          scenarioRunId: run.id,
          scenarioNodeId: `mail-${branch}`,
        },
      });
      const i = index % 40;
      // A: 10 opened (4 of them clicked), 8 bought. B: 2 opened by people, 3 by Apple's proxy, 2 bought.
      if (branch === "A" ? i < 10 : i < 2) {
        await recordEmailOpen(message.id, human, new Date(entered.getTime() + hour));
      }
      if (branch === "B" && i >= 2 && i < 5) {
        await recordEmailOpen(
          message.id,
          { userAgent: "Mozilla/5.0", ip: "17.58.0.1" },
          new Date(entered.getTime() + hour),
        );
      }
      if (branch === "A" && i < 4) {
        await recordEmailClick(
          message.id,
          "https://shop.example/a",
          human,
          new Date(entered.getTime() + 2 * hour),
        );
      }
      if (branch === "A" ? i < 8 : i < 2) {
        orders.push({
          orderId: `S-${index}`,
          customer: { email: contact.email },
          currency: "USD",
          total: 50,
          orderedAt: new Date(entered.getTime() + 3 * hour).toISOString(),
        });
      }
    }
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders } },
      shop.secretKey,
    );
    const report = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioSplitReport(scenarioId: $id, nodeId: "ab", period: $period) {
          __typename
          ... on QueryScenarioSplitReportSuccess { data { nodeId branches {
            branch runs recipients opened clicked openRate clickRate converted conversionRate
            revenue { amount } revenuePerRecipient { amount } probabilityToBeBest
          } } }
          ... on Error { message }
        }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    const [a, b, c] = report.scenarioSplitReport.data.branches;
    expect(a).toMatchObject({
      branch: "A",
      runs: 40,
      recipients: 40,
      opened: 10,
      clicked: 4,
      openRate: 0.25,
      clickRate: 0.1,
      converted: 8,
      conversionRate: 0.2,
      revenue: { amount: "400.00" },
      revenuePerRecipient: { amount: "10.00" },
    });
    expect(b).toMatchObject({ branch: "B", runs: 40, opened: 2, clicked: 0, converted: 2 });
    expect(c).toMatchObject({
      branch: "C",
      runs: 0,
      recipients: 0,
      openRate: null,
      conversionRate: null,
    });
    expect(a.probabilityToBeBest).toBeGreaterThan(0.9);
    expect(a.probabilityToBeBest + b.probabilityToBeBest + c.probabilityToBeBest).toBeCloseTo(
      1,
      10,
    );

    const missing = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioSplitReport(scenarioId: $id, nodeId: "nope", period: $period) { __typename ... on Error { message } }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    expect(missing.scenarioSplitReport.__typename).toBe("NotFoundError");
  });

  it("gives each branch its lift against the split's holdout branch, worked out by hand", async () => {
    const definition = {
      nodes: [
        {
          id: "ab",
          kind: "split",
          branches: [{ name: "A" }, { name: "B" }, { name: "H", holdout: true }],
        },
      ],
    };
    const { shop, scenario, version } = await seededScenario(definition);
    const contacts = await subscribedContacts(shop.id, 120, "l");
    const entered = new Date("2026-11-04T10:00:00Z");
    const orders = [];
    for (const [index, contact] of contacts.entries()) {
      const branch = (["A", "B", "H"] as const)[Math.floor(index / 40)]!;
      const i = index % 40;
      const run = await completedSplitRun({
        workspaceId: shop.id,
        scenarioId: scenario.id,
        versionId: version.id,
        contactId: contact.id,
        splitIds: ["ab"],
        branch,
        enteredAt: entered,
      });
      if (branch !== "H") {
        await db().message.create({
          data: {
            workspaceId: shop.id,
            contactId: contact.id,
            kind: "MARKETING",
            idempotencyKey: `lift-${index}`,
            status: "SENT",
            toEmail: contact.email!,
            sentAt: entered,
            queuedAt: entered,
            scenarioRunId: run.id,
            scenarioNodeId: `mail-${branch}`,
          },
        });
      }
      // A: 20 of 40 buy for 50.00, B: 10 of 40, the holdout branch H: 8 of 40.
      if (i < { A: 20, B: 10, H: 8 }[branch]) {
        orders.push({
          orderId: `L-${index}`,
          customer: { email: contact.email },
          currency: "USD",
          total: 50,
          orderedAt: new Date(entered.getTime() + 3 * hour).toISOString(),
        });
      }
    }
    await api.data(
      `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
      { input: { orders } },
      shop.secretKey,
    );
    const report = await api.data(
      `query($id: ID!, $period: ReportingPeriodInput!) {
        scenarioSplitReport(scenarioId: $id, nodeId: "ab", period: $period) {
          ... on QueryScenarioSplitReportSuccess { data { branches {
            branch holdout runs recipients probabilityToBeBest
            liftAgainstHoldout {
              verdict warning minimumDetectableEffect
              treated { units converted revenuePerUnit { amount } }
              heldOut { units converted revenuePerUnit { amount } }
              conversionLift { estimate low high }
              incrementalRevenue { estimate { amount } low { amount } high { amount } }
              incrementalRevenuePerUnit { estimate { amount } low { amount } high { amount } }
            }
          } } }
        }
      }`,
      { id: encodeGlobalID("Scenario", scenario.id), period },
      shop.secretKey,
    );
    const [a, b, h] = report.scenarioSplitReport.data.branches;
    expect(h).toMatchObject({
      branch: "H",
      holdout: true,
      runs: 40,
      recipients: 0,
      probabilityToBeBest: null,
      liftAgainstHoldout: null,
    });
    expect(a.probabilityToBeBest + b.probabilityToBeBest).toBeCloseTo(1, 10);
    const money = (minor: number) => (Math.round(minor) / 100).toFixed(2);
    // A against H: conversion 0.5 − 0.2, se = √(.5·.5/40 + .2·.8/40).
    const liftA = a.liftAgainstHoldout;
    expect(liftA.treated).toEqual({
      units: 40,
      converted: 20,
      revenuePerUnit: { amount: "25.00" },
    });
    expect(liftA.heldOut).toEqual({ units: 40, converted: 8, revenuePerUnit: { amount: "10.00" } });
    const conversionSe = Math.sqrt((0.5 * 0.5) / 40 + (0.2 * 0.8) / 40);
    expect(liftA.conversionLift.estimate).toBeCloseTo(0.3, 10);
    expect(liftA.conversionLift.low).toBeCloseTo(0.3 - 1.959964 * conversionSe, 6);
    expect(liftA.conversionLift.high).toBeCloseTo(0.3 + 1.959964 * conversionSe, 6);
    // Per run, minor units: means 2500 and 1000; variances (20·5000² − 40·2500²)/39 and
    // (8·5000² − 40·1000²)/39.
    const revenueSe = Math.sqrt((2.5e8 / 39 + 1.6e8 / 39) / 40);
    expect(liftA.incrementalRevenuePerUnit).toEqual({
      estimate: { amount: "15.00" },
      low: { amount: money(1500 - 1.959964 * revenueSe) },
      high: { amount: money(1500 + 1.959964 * revenueSe) },
    });
    expect(liftA.incrementalRevenue).toEqual({
      estimate: { amount: "600.00" },
      low: { amount: money((1500 - 1.959964 * revenueSe) * 40) },
      high: { amount: money((1500 + 1.959964 * revenueSe) * 40) },
    });
    expect(liftA.minimumDetectableEffect).toBeCloseTo(
      2.801585 * Math.sqrt(0.35 * 0.65 * (2 / 40)),
      5,
    );
    expect(liftA.verdict).toBe("LIFT");
    expect(liftA.warning).toBeNull();
    // B against H: 0.25 − 0.2, revenue interval (1250 − 1000) ± 1.96 · √((1.875e8 + 1.6e8)/39/40) spans 0.
    const liftB = b.liftAgainstHoldout;
    expect(liftB.conversionLift.estimate).toBeCloseTo(0.05, 10);
    const seB = Math.sqrt((1.875e8 / 39 + 1.6e8 / 39) / 40);
    expect(liftB.incrementalRevenuePerUnit.low.amount).toBe(money(250 - 1.959964 * seB));
    expect(liftB.verdict).toBe("NO_DIFFERENCE_DETECTED");
    expect(liftB.warning).toMatch(/only a conversion difference above \d+\.\d points/);
  });
});
