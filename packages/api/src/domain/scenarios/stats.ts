import { db } from "../../db.ts";
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
}

/**
 * Per-node figures of a scenario in four grouped queries: arrivals and outputs from the step
 * history, runs waiting now, conversions after the node, and (for send nodes) the delivery
 * and engagement counts of the messages each produced. Nodes of the draft with no traffic
 * get zeros.
 *
 * @example const stats = await scenarioNodeStats(scenario.id, definition)
 */
export async function scenarioNodeStats(
  scenarioId: string,
  definition: ScenarioDefinition,
): Promise<NodeStats[]> {
  const [outputs, waiting, conversions, messages] = await Promise.all([
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
      SELECT m.scenario_node_id AS node_id,
             count(*) FILTER (WHERE m.status = 'QUEUED')::int AS queued,
             count(m.sent_at)::int AS sent, count(m.delivered_at)::int AS delivered,
             count(m.opened_at)::int AS opened, count(m.clicked_at)::int AS clicked,
             count(m.bounced_at)::int AS bounced, count(m.complained_at)::int AS complained,
             count(m.unsubscribed_at)::int AS unsubscribed,
             count(*) FILTER (WHERE m.status = 'SUPPRESSED')::int AS suppressed,
             count(*) FILTER (WHERE m.status = 'FAILED')::int AS failed
        FROM messages m JOIN scenario_runs r ON r.id = m.scenario_run_id
       WHERE r.scenario_id = ${scenarioId}::uuid GROUP BY m.scenario_node_id`,
  ]);
  const nodeIds = [
    ...new Set([...definition.nodes.map((node) => node.id), ...outputs.map((row) => row.node_id)]),
  ];
  const sends = new Set(
    definition.nodes.filter((node) => node.kind === "send_email").map((node) => node.id),
  );
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
    };
  });
}
