import { db, type Executor } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { ScenarioNode, SplitMetric } from "../scenarios/definition/definition.ts";
import { loadSplitWinner, type SplitWinner, splitNodeOf } from "../scenarios/split-winners.ts";
import { NotFoundError } from "../shared/errors.ts";
import type { AttributionModel } from "./attribution-settings.ts";
import { humanClickSql, orderRevenueSql } from "./credited-orders.ts";
import { compareGroups, type GroupOutcome, type LiftComparison } from "./lift-statistics.ts";
import {
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
  type ReportingPeriodInput,
} from "./reporting-period.ts";
import { resolveScenarioReportScope } from "./scenario-report-scope.ts";
import { type BranchOutcome, metricProbabilities } from "./split-metrics.ts";

type SplitNode = Extract<ScenarioNode, { kind: "split" }>;

export interface SplitBranchFigures extends BranchOutcome {
  /** The split's holdout branch: its runs send no marketing mail. */
  holdout: boolean;
  /** Runs whose contact ordered within the window after the split. */
  converted: number;
  /** Revenue of every run of the branch within the window (the recipients' is `recipientRevenue`). */
  revenue: bigint;
  /**
   * The probability that this branch is best on the split's metric among the branches that
   * have units (Beta posteriors for rates, the Bayesian bootstrap for revenue per recipient);
   * null for a branch with none and for the holdout branch, which never competes.
   */
  probabilityToBeBest: number | null;
  /**
   * This branch's runs against the holdout branch's (runs, not recipients: held-out runs are
   * never mailed): conversion lift and incremental revenue with 95 % intervals, the verdict and
   * the minimum detectable effect. Null without a holdout branch, and for that branch.
   */
  liftAgainstHoldout: LiftComparison | null;
}

/** The experiment as the scenario's draft sets it, defaults applied. */
export type SplitExperiment = NonNullable<SplitNode["experiment"]>;

export interface SplitReport {
  period: ReportingPeriod;
  currency: string;
  windowHours: number;
  nodeId: string;
  experiment: SplitExperiment | null;
  /** What probabilityToBeBest compares: the experiment's metric, else conversion. */
  metric: SplitMetric;
  branches: SplitBranchFigures[];
  /** The branch every later run takes, when the experiment decided one or one was chosen. */
  winner: SplitWinner | null;
}

/**
 * An A/B split's results per branch: runs, recipients, human opens and clicks, conversion and
 * revenue within `windowHours` after the split (default: the experiment's window, else the
 * attribution click window), each branch's probability to be best on the experiment's metric
 * and, when a branch is the split's holdout, every other branch's lift against it. Branches
 * the definition names but no run took yet show as zeros.
 */
export async function reportScenarioSplit(
  workspaceId: string,
  scenarioId: string,
  nodeId: string,
  periodInput: ReportingPeriodInput,
  window?: number | null,
): Promise<SplitReport> {
  const scope = await resolveScenarioReportScope(workspaceId, scenarioId, periodInput, window);
  const { definition, period, model, currency } = scope;
  const node = splitNodeOf(definition, nodeId);
  if (!node) throw new NotFoundError("Split node", nodeId);
  const declared = node.branches.map((branch) => branch.name);
  const hours = window == null ? (node.experiment?.windowHours ?? scope.hours) : scope.hours;
  const executor = db();
  const rows = await loadSplitOutcomes(executor, {
    workspaceId,
    scenarioId,
    nodeId,
    from: periodStartSql(period),
    until: periodEndSql(period),
    hours,
    currency,
    model,
    maturedBy: null,
  });
  const byName = new Map(rows.map((row) => [row.branch, row]));
  const names = [
    ...declared,
    ...rows.map((row) => row.branch).filter((b) => !declared.includes(b)),
  ];
  const holdoutBranch = node.branches.find((branch) => branch.holdout)?.name ?? null;
  const metric = node.experiment?.metric ?? "conversion";
  const counted = names.map((branch) => branchOutcome(branch, byName.get(branch)));
  const contenders = counted.filter((branch) => branch.branch !== holdoutBranch);
  const chances = metricProbabilities(contenders, metric);
  const chanceOf = new Map(contenders.map((branch, index) => [branch.branch, chances[index]]));
  const held = counted.find((branch) => branch.branch === holdoutBranch);
  return {
    period,
    currency,
    windowHours: hours,
    nodeId,
    experiment: node.experiment ?? null,
    metric,
    winner: await loadSplitWinner(workspaceId, scenarioId, nodeId),
    branches: counted.map((branch) => ({
      ...branch,
      holdout: branch.branch === holdoutBranch,
      probabilityToBeBest: chanceOf.get(branch.branch) ?? null,
      liftAgainstHoldout:
        held && branch !== held ? compareGroups(groupOf(branch), groupOf(held)) : null,
    })),
  };
}

type CountedBranch = BranchOutcome & { revenue: bigint; revenueSquares: number };

function branchOutcome(branch: string, row: BranchOutcomeRow | undefined): CountedBranch {
  return {
    branch,
    runs: Number(row?.runs ?? 0),
    recipients: Number(row?.recipients ?? 0),
    opened: Number(row?.opened ?? 0),
    clicked: Number(row?.clicked ?? 0),
    converted: Number(row?.converted ?? 0),
    revenue: row?.revenue ?? 0n,
    revenueSquares: Number(row?.revenue_squares ?? 0),
    recipientRevenue: row?.recipient_revenue ?? 0n,
    recipientRevenues: row?.recipient_revenues ?? [],
  };
}

/** A branch as a group of lift statistics: its runs, their conversions and revenue. */
function groupOf(branch: CountedBranch): GroupOutcome {
  return {
    units: branch.runs,
    converted: branch.converted,
    revenue: branch.revenue,
    revenueSquares: branch.revenueSquares,
  };
}

/** The outcome rows of `loadSplitOutcomes` as an experiment reads them. */
export function branchOutcomes(branches: string[], rows: BranchOutcomeRow[]): CountedBranch[] {
  return branches.map((branch) =>
    branchOutcome(
      branch,
      rows.find((row) => row.branch === branch),
    ),
  );
}

export interface BranchOutcomeRow {
  branch: string;
  runs: bigint;
  recipients: bigint;
  opened: bigint;
  clicked: bigint;
  converted: bigint;
  revenue: bigint;
  revenue_squares: number;
  recipient_revenue: bigint;
  recipient_revenues: number[];
}

/**
 * Per branch of one split: the runs it took that started in [from, until) (runs held out by the
 * scenario's holdout or the control group left out) and how they did within `hours` after the
 * split; with `maturedBy`, only runs whose window had passed by then (so a young run does not
 * count as not converted). A recipient is a run sent a marketing mail after the split that did
 * not bounce; opens (a person's, not a privacy pre-fetch; a person's click counts as an open)
 * and clicks (not a link scanner's) are its mails' within the window.
 */
export function loadSplitOutcomes(
  executor: Executor,
  input: {
    workspaceId: string;
    scenarioId: string;
    nodeId: string;
    from: Prisma.Sql;
    until: Prisma.Sql;
    hours: number;
    currency: string;
    model: AttributionModel;
    maturedBy: Date | null;
  },
): Promise<BranchOutcomeRow[]> {
  return executor.$queryRaw<BranchOutcomeRow[]>`
    WITH assigned AS (
      SELECT DISTINCT ON (s.run_id) s.run_id, s.output AS branch, s.entered_at, r.contact_id
        FROM scenario_steps s JOIN scenario_runs r ON r.id = s.run_id
       WHERE s.scenario_id = ${input.scenarioId}::uuid AND s.workspace_id = ${input.workspaceId}::uuid
         AND s.node_id = ${input.nodeId} AND s.output IS NOT NULL AND r.holdout IS NULL
         AND r.started_at >= ${input.from} AND r.started_at < ${input.until}
         AND (${input.maturedBy}::timestamptz IS NULL OR s.entered_at + make_interval(hours => ${input.hours}) <= ${input.maturedBy}::timestamptz)
       ORDER BY s.run_id, s.seq),
    runs AS (
      SELECT a.*,
             EXISTS (SELECT 1 FROM messages m WHERE m.scenario_run_id = a.run_id AND m.kind = 'MARKETING'
                        AND m.status = 'SENT' AND NOT m.is_test AND m.bounced_at IS NULL
                        AND m.queued_at >= a.entered_at) AS mailed,
             EXISTS (SELECT 1 FROM messages m JOIN message_touches t ON t.message_id = m.id
                      WHERE m.scenario_run_id = a.run_id AND m.kind = 'MARKETING' AND m.queued_at >= a.entered_at
                        AND t.occurred_at <= a.entered_at + make_interval(hours => ${input.hours})
                        AND ((t.kind = 'OPENED' AND NOT t.machine) OR ${humanClickSql("t")})) AS opened,
             EXISTS (SELECT 1 FROM messages m JOIN message_touches t ON t.message_id = m.id
                      WHERE m.scenario_run_id = a.run_id AND m.kind = 'MARKETING' AND m.queued_at >= a.entered_at
                        AND t.occurred_at <= a.entered_at + make_interval(hours => ${input.hours})
                        AND ${humanClickSql("t")}) AS clicked,
             o.revenue, o.orders
        FROM assigned a
        CROSS JOIN LATERAL (
          SELECT COALESCE(sum(${orderRevenueSql(input.model)}), 0) AS revenue,
                 count(*) FILTER (WHERE o.status <> 'CANCELLED') AS orders
            FROM orders o
           WHERE o.workspace_id = ${input.workspaceId}::uuid AND o.contact_id = a.contact_id AND o.currency = ${input.currency}
             AND o.ordered_at > a.entered_at AND o.ordered_at <= a.entered_at + make_interval(hours => ${input.hours})) o)
    SELECT branch, count(*) AS runs, count(*) FILTER (WHERE mailed) AS recipients,
           count(*) FILTER (WHERE mailed AND opened) AS opened, count(*) FILTER (WHERE mailed AND clicked) AS clicked,
           count(*) FILTER (WHERE orders > 0) AS converted, COALESCE(sum(revenue), 0)::bigint AS revenue,
           COALESCE(sum(revenue::float8 * revenue::float8), 0)::float8 AS revenue_squares,
           COALESCE(sum(revenue) FILTER (WHERE mailed), 0)::bigint AS recipient_revenue,
           COALESCE(array_agg(revenue::float8) FILTER (WHERE mailed AND revenue <> 0), '{}') AS recipient_revenues
      FROM runs GROUP BY branch`;
}
