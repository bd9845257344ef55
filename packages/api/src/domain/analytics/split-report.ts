import { db, type Executor } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { loadSplitWinner, type SplitWinner, splitBranchNames } from "../scenarios/split-winners.ts";
import { NotFoundError } from "../shared/errors.ts";
import type { AttributionModel } from "./attribution-settings.ts";
import { humanClickSql, orderRevenueSql } from "./credited-orders.ts";
import { probabilityToBeBest } from "./probability-best.ts";
import {
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
  type ReportingPeriodInput,
} from "./reporting-period.ts";
import { resolveScenarioReportScope } from "./scenario-report-scope.ts";

export interface SplitBranchFigures {
  branch: string;
  /** Runs the split sent this way during the period (held-out runs left out). */
  runs: number;
  /** Of those, runs that sent at least one marketing mail. */
  recipients: number;
  /** Recipients with a person's open (machine opens left out) / click (scanners left out). */
  opened: number;
  clicked: number;
  /** Runs whose contact ordered within the window after the split. */
  converted: number;
  revenue: bigint;
  /**
   * The probability that this branch's conversion rate is the best (Bayesian, Beta posteriors)
   * among the branches that have runs; null for a branch with none.
   */
  probabilityToBeBest: number | null;
}

export interface SplitReport {
  period: ReportingPeriod;
  currency: string;
  windowHours: number;
  nodeId: string;
  branches: SplitBranchFigures[];
  /** The branch every later run takes, when the experiment decided one or one was chosen. */
  winner: SplitWinner | null;
}

/**
 * An A/B split's results per branch: runs, recipients, human opens and clicks, conversion and
 * revenue within `windowHours` after the split (default: the attribution click window), and
 * each branch's probability to be best. Branches the definition names but no run took yet
 * show as zeros.
 */
export async function reportScenarioSplit(
  workspaceId: string,
  scenarioId: string,
  nodeId: string,
  periodInput: ReportingPeriodInput,
  window?: number | null,
): Promise<SplitReport> {
  const { definition, period, model, hours, currency } = await resolveScenarioReportScope(
    workspaceId,
    scenarioId,
    periodInput,
    window,
  );
  const declared = splitBranchNames(definition, nodeId);
  if (!declared) throw new NotFoundError("Split node", nodeId);
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
  const counted = names.map((branch) => {
    const row = byName.get(branch);
    return {
      branch,
      runs: Number(row?.runs ?? 0),
      recipients: Number(row?.recipients ?? 0),
      opened: Number(row?.opened ?? 0),
      clicked: Number(row?.clicked ?? 0),
      converted: Number(row?.converted ?? 0),
      revenue: row?.revenue ?? 0n,
    };
  });
  const contested = counted.filter((branch) => branch.runs > 0);
  const chances = new Map(
    probabilityToBeBest(
      contested.map((branch) => ({ units: branch.runs, converted: branch.converted })),
    ).map((chance, index) => [contested[index]?.branch, chance]),
  );
  return {
    period,
    currency,
    windowHours: hours,
    nodeId,
    winner: await loadSplitWinner(scenarioId, nodeId),
    branches: counted.map((branch) => ({
      ...branch,
      probabilityToBeBest: chances.get(branch.branch) ?? null,
    })),
  };
}

export interface BranchOutcomeRow {
  branch: string;
  runs: bigint;
  recipients: bigint;
  opened: bigint;
  clicked: bigint;
  converted: bigint;
  revenue: bigint;
}

/**
 * Per branch of one split: the runs it took that started in [from, until) (held-out runs left
 * out) and how they did within `hours` after the split; with `maturedBy`, only runs whose
 * window had passed by then (so a young run does not count as not converted).
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
                        AND m.status = 'SENT' AND NOT m.is_test) AS mailed,
             EXISTS (SELECT 1 FROM messages m JOIN message_touches t ON t.message_id = m.id
                      WHERE m.scenario_run_id = a.run_id AND m.kind = 'MARKETING'
                        AND ((t.kind = 'OPENED' AND NOT t.machine) OR ${humanClickSql("t")})) AS opened,
             EXISTS (SELECT 1 FROM messages m JOIN message_touches t ON t.message_id = m.id
                      WHERE m.scenario_run_id = a.run_id AND m.kind = 'MARKETING' AND ${humanClickSql("t")}) AS clicked,
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
           count(*) FILTER (WHERE orders > 0) AS converted, COALESCE(sum(revenue), 0)::bigint AS revenue
      FROM runs GROUP BY branch`;
}
