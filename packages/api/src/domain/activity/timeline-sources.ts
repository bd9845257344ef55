import { Prisma } from "../../generated/prisma/client.ts";

/** The tables a contact's timeline mixes. */
export const timelineSources = ["EVENT", "MESSAGE", "SCENARIO_STEP", "SCORE_CHANGE"] as const;
export type TimelineSource = (typeof timelineSources)[number];

/** What happened to a message, each at its own time. Machine (privacy pre-fetch) opens are not opens. */
export const messageActivities = [
  "SENT",
  "DELIVERED",
  "OPENED",
  "CLICKED",
  "BOUNCED",
  "COMPLAINED",
  "UNSUBSCRIBED",
] as const;
export type MessageActivity = (typeof messageActivities)[number];

/** Numeric ids padded so that, as text in the "C" collation, they sort as numbers. */
const padded = (column: string) => Prisma.raw(`lpad(${column}::text, 20, '0')`);

/**
 * One SELECT per source, each giving `source`, `key` (unique across sources, "C" collation),
 * `at` and `data` (the entry's fields as JSON), for the contact's rows in its workspace.
 */
export function sourceSelects(
  workspaceId: string,
  contactId: string,
): Record<TimelineSource, Prisma.Sql> {
  return {
    EVENT: Prisma.sql`
      SELECT 'EVENT' AS source, ('event:' || ${padded("e.id")}) COLLATE "C" AS key,
             e.occurred_at AS at,
             jsonb_build_object('id', e.id::text, 'workspaceId', e.workspace_id, 'contactId', e.contact_id,
               'anonymousId', e.anonymous_id, 'name', e.name, 'properties', e.properties,
               'context', e.context, 'occurredAt', e.occurred_at, 'receivedAt', e.received_at,
               'messageId', e.message_id) AS data
        FROM events e
       WHERE e.workspace_id = ${workspaceId}::uuid AND e.contact_id = ${contactId}::uuid`,
    MESSAGE: Prisma.sql`
      SELECT 'MESSAGE' AS source, ('message:' || m.id::text || ':' || lower(a.activity)) COLLATE "C" AS key,
             a.at,
             jsonb_build_object('activity', a.activity, 'messageId', m.id, 'templateId', m.template_id,
               'templateName', COALESCE(tv.name, t.name), 'subject', m.subject,
               'bounceType', CASE WHEN a.activity = 'BOUNCED' THEN m.bounce_type END) AS data
        FROM messages m
       CROSS JOIN LATERAL (VALUES ('SENT', m.sent_at), ('DELIVERED', m.delivered_at),
             ('OPENED', m.opened_at), ('CLICKED', m.clicked_at), ('BOUNCED', m.bounced_at),
             ('COMPLAINED', m.complained_at), ('UNSUBSCRIBED', m.unsubscribed_at)) AS a (activity, at)
        LEFT JOIN template_versions tv ON tv.id = m.template_version_id
        LEFT JOIN templates t ON t.id = m.template_id
       WHERE m.workspace_id = ${workspaceId}::uuid AND m.contact_id = ${contactId}::uuid
         AND NOT m.is_test AND a.at IS NOT NULL`,
    SCENARIO_STEP: Prisma.sql`
      SELECT 'SCENARIO_STEP' AS source, ('step:' || ${padded("s.id")}) COLLATE "C" AS key,
             s.entered_at AS at,
             jsonb_build_object('scenarioId', s.scenario_id, 'scenarioName', sc.name, 'runId', s.run_id,
               'seq', s.seq, 'nodeId', s.node_id, 'nodeKind', s.kind, 'output', s.output,
               'reason', s.reason, 'leftAt', s.left_at, 'messageId', s.message_id) AS data
        FROM scenario_runs r
        JOIN scenario_steps s ON s.run_id = r.id
        JOIN scenarios sc ON sc.id = s.scenario_id
       WHERE r.workspace_id = ${workspaceId}::uuid AND r.contact_id = ${contactId}::uuid`,
    SCORE_CHANGE: Prisma.sql`
      SELECT 'SCORE_CHANGE' AS source, ('score:' || ${padded("c.id")}) COLLATE "C" AS key,
             c.occurred_at AS at,
             jsonb_build_object('kind', c.kind, 'delta', c.delta, 'scoreAfter', c.score_after,
               'reason', c.reason, 'ruleId', c.rule_id, 'eventId', c.event_id::text) AS data
        FROM score_changes c
       WHERE c.workspace_id = ${workspaceId}::uuid AND c.contact_id = ${contactId}::uuid`,
  };
}
