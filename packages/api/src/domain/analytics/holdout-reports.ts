import { z } from "zod";
import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { loadAttributionModel } from "./attribution-settings.ts";
import { orderRevenueSql } from "./credited-orders.ts";
import { compareGroups, type GroupOutcome, type LiftComparison } from "./lift-statistics.ts";
import {
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";
import { resolveScenarioReportScope } from "./scenario-report-scope.ts";

export interface HoldoutReport extends LiftComparison {
  period: ReportingPeriod;
  currency: string;
  /** How long after a run starts its contact's orders count. */
  windowHours: number;
}

interface GroupRow {
  held_out: boolean;
  units: bigint;
  converted: bigint;
  revenue: bigint;
  revenue_squares: number;
}

const _windowHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 90);

/**
 * What a scenario's marketing mail adds: runs started in the period that were mailed against
 * runs held out by the scenario's holdout (runs in the workspace's control group are left to
 * `reportControlGroup`). A run converts when its contact orders within `windowHours` after it
 * started (default: the attribution click window); its revenue is those orders'.
 *
 * @example await reportScenarioHoldout(workspaceId, scenarioId, { from: "2026-11-01", to: "2026-11-30" })
 */
export async function reportScenarioHoldout(
  workspaceId: string,
  scenarioId: string,
  periodInput: ReportingPeriodInput,
  window?: number | null,
): Promise<HoldoutReport> {
  const { period, model, hours, currency } = await resolveScenarioReportScope(
    workspaceId,
    scenarioId,
    periodInput,
    window,
  );
  const executor = db();
  const rows = await executor.$queryRaw<GroupRow[]>`
    WITH units AS (
      SELECT r.id, r.contact_id, r.started_at, r.holdout IS NOT NULL AS held_out,
             r.started_at + make_interval(hours => ${hours}) AS until
        FROM scenario_runs r
       WHERE r.workspace_id = ${workspaceId}::uuid AND r.scenario_id = ${scenarioId}::uuid
         AND r.started_at >= ${periodStartSql(period)} AND r.started_at < ${periodEndSql(period)}
         AND r.holdout IS DISTINCT FROM 'control_group')
    ${outcomesSql(workspaceId, currency, orderRevenueSql(model))}`;
  return { ...compare(rows), period, currency, windowHours: hours };
}

/**
 * What the workspace's scenario marketing adds as a whole: contacts whose first run of the
 * period put them in the workspace-wide control group against everyone else who entered a
 * scenario. A contact's orders count from that first run's start to the end of the period.
 */
export async function reportControlGroup(
  workspaceId: string,
  periodInput: ReportingPeriodInput,
): Promise<HoldoutReport> {
  const executor = db();
  const period = await resolveReportingPeriod(executor, workspaceId, periodInput);
  const model = await loadAttributionModel(workspaceId, executor);
  const currency = await loadWorkspaceCurrency(executor, workspaceId);
  const end = periodEndSql(period);
  const rows = await executor.$queryRaw<GroupRow[]>`
    WITH units AS (
      SELECT DISTINCT ON (r.contact_id) r.contact_id AS id, r.contact_id, r.started_at,
             r.holdout IS NOT DISTINCT FROM 'control_group' AS held_out, ${end} AS until
        FROM scenario_runs r
       WHERE r.workspace_id = ${workspaceId}::uuid
         AND r.started_at >= ${periodStartSql(period)} AND r.started_at < ${end}
       ORDER BY r.contact_id, r.started_at)
    ${outcomesSql(workspaceId, currency, orderRevenueSql(model))}`;
  const hours =
    (Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / 3_600_000 +
    24;
  return { ...compare(rows), period, currency, windowHours: hours };
}

/** Per group of `units` (id, contact_id, started_at, held_out, until): its orders' outcome. */
function outcomesSql(workspaceId: string, currency: string, revenue: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`,
    outcomes AS (
      SELECT u.held_out, COALESCE(sum(o.revenue), 0) AS revenue,
             count(o.revenue) FILTER (WHERE NOT o.cancelled) > 0 AS converted
        FROM units u
        LEFT JOIN LATERAL (
          SELECT ${revenue} AS revenue, o.status = 'CANCELLED' AS cancelled FROM orders o
           WHERE o.workspace_id = ${workspaceId}::uuid AND o.contact_id = u.contact_id
             AND o.currency = ${currency} AND o.ordered_at > u.started_at AND o.ordered_at <= u.until) o ON true
       GROUP BY u.id, u.held_out)
    SELECT held_out, count(*) AS units, count(*) FILTER (WHERE converted) AS converted,
           COALESCE(sum(revenue), 0)::bigint AS revenue,
           COALESCE(sum(revenue::float8 * revenue::float8), 0)::float8 AS revenue_squares
      FROM outcomes GROUP BY held_out`;
}

function compare(rows: GroupRow[]): LiftComparison {
  const group = (heldOut: boolean): GroupOutcome => {
    const row = rows.find((r) => r.held_out === heldOut);
    return {
      units: Number(row?.units ?? 0),
      converted: Number(row?.converted ?? 0),
      revenue: row?.revenue ?? 0n,
      revenueSquares: Number(row?.revenue_squares ?? 0),
    };
  };
  return compareGroups(group(false), group(true));
}
