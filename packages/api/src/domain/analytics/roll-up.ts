import { db, type Transaction, withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadAttributionModel } from "./attribution-settings.ts";
import { customerDayRollUp, recipientDayRollUp } from "./day-figures.ts";
import { loadWorkspaceTimeZone } from "./reporting-period.ts";
import {
  activityColumns,
  activityFiguresSql,
  orderColumns,
  orderFiguresSql,
  sourceColumns,
  sourceFiguresSql,
} from "./slot-figures.ts";
import { slotsListSql } from "./slots.ts";

/** What one workspace's roll-up did. */
export interface RollUp {
  workspaceId: string;
  /** Slots rebuilt from the raw tables. */
  slots: number;
  /** Whether every slot was (after a change of the attribution model, or the first roll-up). */
  everything: boolean;
  /** Dirty marks cleared. */
  marks: number;
}

/** Dirty marks cleared per transaction; a run goes on with the next batch until its time is up. */
const marksPerBatch = 20_000;

/**
 * Rebuilds the roll-ups of every slot a change marked dirty (`analytics_dirty_slots`, kept by
 * triggers), in every workspace or one: each slot's rows are replaced by figures computed from
 * the raw tables, and its marks cleared, in repeatable-read transactions of up to 20,000 marks,
 * so a mark written while one runs stays for the next. Batches go on until none is left or the
 * time budget (50 s: the schedule is every minute) is spent. A workspace another run is rolling
 * up is skipped. Reports stay exact meanwhile: they compute dirty slots themselves.
 *
 * @example await rollUpAnalytics() // → [{ workspaceId, slots: 3, everything: false, marks: 41 }]
 */
export async function rollUpAnalytics(
  options: { workspaceId?: string; timeBudgetMs?: number } = {},
): Promise<RollUp[]> {
  const deadline = Date.now() + (options.timeBudgetMs ?? 50_000);
  const workspaces = await db().$queryRaw<{ workspace_id: string }[]>`
    SELECT DISTINCT workspace_id::text FROM analytics_dirty_slots
     WHERE ${options.workspaceId ?? null}::uuid IS NULL OR workspace_id = ${options.workspaceId ?? null}::uuid`;
  const done: RollUp[] = [];
  for (const { workspace_id: workspaceId } of workspaces) {
    const total: RollUp = { workspaceId, slots: 0, everything: false, marks: 0 };
    for (;;) {
      const batch = await withTransaction((tx) => rollUpWorkspace(tx, workspaceId), {
        timeoutMs: 15 * 60_000,
      });
      if (!batch) break;
      total.slots += batch.slots;
      total.marks += batch.marks;
      total.everything ||= batch.everything;
      if (batch.marks < marksPerBatch || Date.now() > deadline) break;
    }
    if (total.marks > 0) done.push(total);
  }
  return done;
}

async function rollUpWorkspace(tx: Transaction, workspaceId: string): Promise<RollUp | null> {
  await tx.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`roll-up:${workspaceId}`}, 0)) AS locked`;
  if (!lock?.locked) return null;
  const workspace = Prisma.sql`${workspaceId}::uuid`;
  const [everything] = await tx.$queryRaw<{ max_id: bigint | null }[]>`
    SELECT max(id) AS max_id FROM analytics_dirty_slots WHERE workspace_id = ${workspace} AND slot IS NULL`;
  let slots: Date[];
  let clear: Prisma.Sql;
  const everythingMode = everything?.max_id != null;
  if (everythingMode) {
    // Every slot with data, and every mark this snapshot sees.
    const withData = await tx.$queryRaw<{ slot: Date }[]>`
      SELECT cartwheel_slot(ordered_at) AS slot FROM orders WHERE workspace_id = ${workspace}
      UNION SELECT cartwheel_slot(sent_at) FROM messages WHERE workspace_id = ${workspace} AND sent_at IS NOT NULL
      UNION SELECT cartwheel_slot(started_at) FROM visitor_sessions WHERE workspace_id = ${workspace}
      UNION SELECT cartwheel_slot(created_at) FROM carts WHERE workspace_id = ${workspace}`;
    slots = withData.map((row) => row.slot);
    for (const table of ["analytics_slots", "order_slots", "attribution_source_slots"]) {
      await tx.$executeRaw`DELETE FROM ${Prisma.raw(table)} WHERE workspace_id = ${workspace}`;
    }
    clear = Prisma.sql`workspace_id = ${workspace}`;
  } else {
    const marks = await tx.$queryRaw<{ id: bigint; slot: Date }[]>`
      SELECT id, slot FROM analytics_dirty_slots WHERE workspace_id = ${workspace}
       ORDER BY id LIMIT ${marksPerBatch}`;
    if (marks.length === 0) return null;
    slots = [...new Map(marks.map((mark) => [mark.slot.getTime(), mark.slot])).values()];
    for (const table of ["analytics_slots", "order_slots", "attribution_source_slots"]) {
      await tx.$executeRaw`
        DELETE FROM ${Prisma.raw(table)}
         WHERE workspace_id = ${workspace} AND slot = ANY(${slots.map((slot) => slot.toISOString())}::timestamptz[])`;
    }
    clear = Prisma.sql`workspace_id = ${workspace} AND id = ANY(${marks.map((mark) => mark.id)}::bigint[])`;
  }
  const slotsSql = slotsListSql(slots);
  const model = await loadAttributionModel(workspaceId, tx);
  const timeZone = await loadWorkspaceTimeZone(tx, workspaceId);
  // The local days of those slots: the daily roll-ups are rebuilt whole.
  const daysSql = Prisma.sql`SELECT DISTINCT (slot AT TIME ZONE ${timeZone})::date AS day FROM (${slotsSql}) slots`;
  for (const rollUp of [
    customerDayRollUp(workspaceId, timeZone),
    recipientDayRollUp(workspaceId, timeZone),
  ]) {
    const columns = Prisma.raw(rollUp.columns.join(", "));
    await tx.$executeRaw`
      DELETE FROM ${Prisma.raw(rollUp.table)}
       WHERE workspace_id = ${workspace} ${everythingMode ? Prisma.empty : Prisma.sql`AND day IN (${daysSql})`}`;
    await tx.$executeRaw`
      INSERT INTO ${Prisma.raw(rollUp.table)} (workspace_id, ${columns})
      SELECT ${workspace}, ${columns} FROM (${rollUp.compute(daysSql)}) f`;
  }
  await tx.$executeRaw`
    INSERT INTO analytics_slots (workspace_id, slot, ${columnList(activityColumns)})
    SELECT ${workspace}, slot, ${columnList(activityColumns)} FROM (${activityFiguresSql(workspaceId, slotsSql)}) f`;
  await tx.$executeRaw`
    INSERT INTO order_slots (workspace_id, slot, currency, ${columnList(orderColumns)})
    SELECT ${workspace}, slot, currency, ${columnList(orderColumns)} FROM (${orderFiguresSql(workspaceId, slotsSql, model)}) f`;
  await tx.$executeRaw`
    INSERT INTO attribution_source_slots (workspace_id, slot, currency, source, key, ${columnList(sourceColumns)})
    SELECT ${workspace}, slot, currency, source, key, ${columnList(sourceColumns)} FROM (${sourceFiguresSql(workspaceId, slotsSql, model)}) f`;
  const marks = await tx.$executeRaw`DELETE FROM analytics_dirty_slots WHERE ${clear}`;
  return { workspaceId, slots: slots.length, everything: everythingMode, marks };
}

function columnList(columns: readonly string[]): Prisma.Sql {
  return Prisma.raw(columns.join(", "));
}
