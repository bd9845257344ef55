import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { type EmailStats, emptyStats } from "../messages/message-stats.ts";
import type { ScenarioDefinition } from "./definition/definition.ts";

/** What happened at one node, over every version of the scenario. */
export interface NodeStats {
  nodeId: string;
  /** Runs that arrived at the node. */
  entered: number;
  /** How many left by each output (a split's branch names, yes/no, matched/timedOut, next). */
  outputs: { output: string; count: number }[];
  /** Runs at the node now. */
  waiting: number;
  /** Runs that passed the node and then reached a goal. */
  conversions: number;
  /** For send nodes: the messages the node produced. */
  messages: EmailStats | null;
  /** For split nodes: each branch's runs and what became of them, side by side. */
  branches: BranchStats[] | null;
}

/** One branch of a split: the runs it was given and how they did from there. */
export interface BranchStats {
  name: string;
  weight: number;
  /** The split's holdout branch: its runs send no marketing mail. */
  holdout: boolean;
  /** Runs assigned to the branch. */
  runs: number;
  /** Of those, still in progress, reached a goal, ended by completing, exited or failed. */
  inProgress: number;
  converted: number;
  completed: number;
  exited: number;
  /** The messages those runs were sent after the split. */
  messages: EmailStats;
}

/** The delivery and engagement counts of the messages `m` grouped over. */
const emailStatsColumns = Prisma.sql`
  count(*) FILTER (WHERE m.status = 'QUEUED')::int AS queued,
  count(m.sent_at)::int AS sent, count(m.delivered_at)::int AS delivered,
  count(m.opened_at)::int AS opened, count(m.clicked_at)::int AS clicked,
  count(m.bounced_at)::int AS bounced, count(m.complained_at)::int AS complained,
  count(m.unsubscribed_at)::int AS unsubscribed,
  count(*) FILTER (WHERE m.status = 'SUPPRESSED')::int AS suppressed,
  count(*) FILTER (WHERE m.status = 'FAILED')::int AS failed`;

/** Each run's first pass through each split, with the branch it was given. */
const assignments = (scenarioId: string) => Prisma.sql`
  SELECT DISTINCT ON (s.run_id, s.node_id) s.run_id, s.node_id, s.output AS branch, s.seq
    FROM scenario_steps s
   WHERE s.scenario_id = ${scenarioId}::uuid AND s.kind = 'split' AND s.output IS NOT NULL
   ORDER BY s.run_id, s.node_id, s.seq`;

type BranchRow = { node_id: string; branch: string };

/**
 * Per-node figures of a scenario in six grouped queries: arrivals and outputs from the step
 * history, runs waiting now, conversions after the node, (for send nodes) the delivery and
 * engagement counts of the messages each produced, and (for splits) each branch's runs,
 * outcomes and messages side by side. Nodes of the draft with no traffic get zeros.
 *
 * @example const stats = await scenarioNodeStats(scenario.id, definition)
 */
export async function scenarioNodeStats(
  scenarioId: string,
  definition: ScenarioDefinition,
): Promise<NodeStats[]> {
  const [outputs, waiting, conversions, messages, branchRuns, branchMessages] = await Promise.all([
    db().$queryRaw<{ node_id: string; output: string | null; count: number }[]>`
      SELECT node_id, output, count(*)::int AS count FROM scenario_steps
       WHERE scenario_id = ${scenarioId}::uuid GROUP BY node_id, output`,
    db().$queryRaw<{ node_id: string; count: number }[]>`
      SELECT node_id, count(*)::int AS count FROM scenario_runs
       WHERE scenario_id = ${scenarioId}::uuid AND status IN ('ACTIVE', 'WAITING') GROUP BY node_id`,
    db().$queryRaw<{ node_id: string; count: number }[]>`
      SELECT s.node_id, count(DISTINCT s.run_id)::int AS count
        FROM scenario_steps s JOIN scenario_runs r ON r.id = s.run_id
       WHERE s.scenario_id = ${scenarioId}::uuid AND r.status = 'CONVERTED' GROUP BY s.node_id`,
    db().$queryRaw<(EmailStats & { node_id: string })[]>`
      SELECT m.scenario_node_id AS node_id, ${emailStatsColumns}
        FROM messages m JOIN scenario_runs r ON r.id = m.scenario_run_id
       WHERE r.scenario_id = ${scenarioId}::uuid GROUP BY m.scenario_node_id`,
    db().$queryRaw<
      (BranchRow &
        Omit<BranchStats, "name" | "weight" | "messages" | "inProgress"> & {
          in_progress: number;
        })[]
    >`
      WITH assigned AS (${assignments(scenarioId)})
      SELECT a.node_id, a.branch, count(*)::int AS runs,
             count(*) FILTER (WHERE r.status IN ('ACTIVE', 'WAITING'))::int AS in_progress,
             count(*) FILTER (WHERE r.status = 'CONVERTED')::int AS converted,
             count(*) FILTER (WHERE r.status = 'COMPLETED')::int AS completed,
             count(*) FILTER (WHERE r.status IN ('EXITED', 'FAILED'))::int AS exited
        FROM assigned a JOIN scenario_runs r ON r.id = a.run_id
       GROUP BY a.node_id, a.branch`,
    db().$queryRaw<(BranchRow & EmailStats)[]>`
      WITH assigned AS (${assignments(scenarioId)})
      SELECT a.node_id, a.branch, ${emailStatsColumns}
        FROM assigned a
        JOIN scenario_steps later ON later.run_id = a.run_id AND later.seq > a.seq
        JOIN messages m ON m.id = later.message_id
       GROUP BY a.node_id, a.branch`,
  ]);
  const nodeIds = [
    ...new Set([...definition.nodes.map((node) => node.id), ...outputs.map((row) => row.node_id)]),
  ];
  const sends = new Set(
    definition.nodes.filter((node) => node.kind === "send_email").map((node) => node.id),
  );
  const splits = new Map(
    definition.nodes.flatMap((node) => (node.kind === "split" ? [[node.id, node]] : [])),
  );
  const branchesOf = (nodeId: string): BranchStats[] | null => {
    const split = splits.get(nodeId);
    if (!split) return null;
    return split.branches.map(({ name, weight, holdout }) => {
      const here = (row: BranchRow) => row.node_id === nodeId && row.branch === name;
      const runs = branchRuns.find(here);
      const {
        node_id: _n,
        branch: _b,
        ...sent
      } = branchMessages.find(here) ?? {
        node_id: nodeId,
        branch: name,
        ...emptyStats,
      };
      return {
        name,
        weight,
        holdout: holdout ?? false,
        runs: runs?.runs ?? 0,
        inProgress: runs?.in_progress ?? 0,
        converted: runs?.converted ?? 0,
        completed: runs?.completed ?? 0,
        exited: runs?.exited ?? 0,
        messages: sent,
      };
    });
  };
  return nodeIds.map((nodeId) => {
    const rows = outputs.filter((row) => row.node_id === nodeId);
    const sent = messages.find((row) => row.node_id === nodeId);
    const { node_id: _node, ...counts } = sent ?? { node_id: nodeId, ...emptyStats };
    return {
      nodeId,
      entered: rows.reduce((sum, row) => sum + row.count, 0),
      outputs: rows.flatMap((row) =>
        row.output === null ? [] : [{ output: row.output, count: row.count }],
      ),
      waiting: waiting.find((row) => row.node_id === nodeId)?.count ?? 0,
      conversions: conversions.find((row) => row.node_id === nodeId)?.count ?? 0,
      messages: sends.has(nodeId) || sent ? counts : null,
      branches: branchesOf(nodeId),
    };
  });
}
