import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type Transaction, withTransaction } from "../../../db.ts";
import type { Message } from "../../../generated/prisma/client.ts";
import { assertTemplateData } from "../../email-templates/required-data.ts";
import { addJobs } from "../../jobs/add-job.ts";
import {
  recommendationBlockList,
  recommendationBlocks,
} from "../../recommendations/template-blocks.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { loadEmailSettings } from "../email-settings.ts";
import { type EmailKindName, sendJobKey, sendJobSettings } from "./send-job.ts";

const uuid = (what: string) => z.string().refine(isUuid, `is not a ${what} id`);

export const queueEmailInput = z.object({
  templateId: uuid("template"),
  contactId: uuid("contact"),
  /** Extra template variables: cart, order, recommendations, coupon… */
  data: z.record(z.string(), z.unknown()).default({}),
  /** The caller's key for this send: the same key never sends twice. */
  idempotencyKey: z.string().trim().min(1, "must not be empty").max(255),
  /**
   * Recommendation blocks chosen now, as `recommendations.<block>`, from `recommendFrom` and
   * the contact: `[{ block: "cross_sell", strategy: "cross_sell", limit: 3 }]`.
   */
  recommendations: recommendationBlockList.optional(),
  /** What the blocks start from: the shop's cart id, order id, or product ids. */
  recommendFrom: z
    .object({
      cartId: z.string().trim().min(1).max(255).optional(),
      orderId: z.string().trim().min(1).max(255).optional(),
      productIds: z.array(z.string().trim().min(1).max(255)).max(50).optional(),
    })
    .strict()
    .optional(),
});
export type QueueEmailInput = z.input<typeof queueEmailInput>;

/**
 * Queues one email to a contact: writes the Message (status QUEUED, the template's current
 * version) and its `send_email` job in one transaction. Calling again with the same
 * `idempotencyKey` returns the first message and queues nothing; the same key with another
 * template or contact is a ConflictError. Runs in `tx` when given; `origin` ties the message to
 * the scenario run and node that sent it.
 *
 * @example const { message } = await queueEmail(workspaceId, { templateId, contactId, data: { cart }, idempotencyKey: `cart-${cart.id}` })
 */
export async function queueEmail(
  workspaceId: string,
  rawInput: QueueEmailInput,
  tx?: Transaction,
  origin?: { scenarioRunId: string; scenarioNodeId: string; queuedAt?: Date },
): Promise<{ message: Message; created: boolean }> {
  const input = parseInput(queueEmailInput, rawInput);
  return withTransaction(
    async (tx) => {
      const settings = await loadEmailSettings(workspaceId, tx);
      const template = await tx.template.findFirst({
        where: { id: input.templateId, workspaceId },
      });
      if (!template) throw new NotFoundError("Template", input.templateId);
      const contact = await tx.contact.findFirst({ where: { id: input.contactId, workspaceId } });
      if (!contact) throw new NotFoundError("Contact", input.contactId);
      const existing = await tx.message.findUnique({
        where: {
          workspaceId_idempotencyKey: { workspaceId, idempotencyKey: input.idempotencyKey },
        },
      });
      if (existing) return { message: sameRequestOrConflict(existing, input), created: false };
      assertSendable(template, settings);
      if (!contact.email) throw InvalidInputError.field(["contactId"], "has no email address");
      const data = input.recommendations
        ? await withRecommendations(tx, workspaceId, contact.id, input)
        : input.data;
      assertTemplateData(template, data);
      const queued = await insertQueuedMessage(tx, {
        workspaceId,
        template,
        contact: { id: contact.id, email: contact.email },
        data,
        idempotencyKey: input.idempotencyKey,
        ...(origin && { origin }),
      });
      if (!queued.created) {
        // A concurrent call with the same key committed first; its message is the answer.
        const winner = await tx.message.findUniqueOrThrow({
          where: { id_workspaceId: { workspaceId, id: queued.id } },
        });
        return { message: sameRequestOrConflict(winner, input), created: false };
      }
      return {
        message: await tx.message.findUniqueOrThrow({
          where: { id_workspaceId: { workspaceId, id: queued.id } },
        }),
        created: true,
      };
    },
    { tx },
  );
}

/**
 * The send's data with its recommendation blocks bound (`recommendations.<block>`), beside any
 * blocks the caller computed itself; a name used by both is refused.
 */
async function withRecommendations(
  tx: Transaction,
  workspaceId: string,
  contactId: string,
  input: z.output<typeof queueEmailInput>,
): Promise<Record<string, unknown>> {
  const given = input.data.recommendations;
  const own = given && typeof given === "object" && !Array.isArray(given) ? given : {};
  for (const block of input.recommendations ?? []) {
    if (block.block in own) {
      throw InvalidInputError.field(
        ["data", "recommendations", block.block],
        `is also a block in recommendations; give one of them another name`,
      );
    }
  }
  const blocks = await recommendationBlocks(
    tx,
    workspaceId,
    { contactId, ...input.recommendFrom },
    input.recommendations ?? [],
    new Date(),
  );
  return { ...input.data, recommendations: { ...own, ...blocks } };
}

/** A QUEUED message to write, for a caller that has read and checked its template and contact. */
export interface QueuedMessageRow {
  /** The id to give the message (chosen by the caller, so it can refer to it before the write). */
  id: string;
  template: { id: string; kind: EmailKindName; version: number };
  contact: { id: string; email: string };
  data: Record<string, unknown>;
  idempotencyKey: string;
  origin?: { scenarioRunId: string; scenarioNodeId: string; queuedAt?: Date | undefined };
}

/**
 * Writes QUEUED messages and their `send_email` jobs in one INSERT (each template's current
 * version looked up in the same statement) and one job statement per kind. A key used before
 * writes nothing: the answer maps each row's chosen id to the id its message has (the earlier
 * message's for such a key), in one more read only when that happened.
 */
export async function insertQueuedMessages(
  tx: Transaction,
  workspaceId: string,
  messages: readonly QueuedMessageRow[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (messages.length === 0) return ids;
  const column = <T>(pick: (message: QueuedMessageRow) => T) => messages.map(pick);
  const inserted = await tx.$queryRaw<{ id: string; kind: EmailKindName }[]>`
    INSERT INTO messages (id, workspace_id, contact_id, template_id, template_version_id, kind, idempotency_key,
                          to_email, data, scenario_run_id, scenario_node_id, queued_at)
    SELECT m.id, ${workspaceId}::uuid, m.contact_id, m.template_id, v.id, m.kind::email_kind,
           m.idempotency_key, m.to_email, m.data, m.run_id, m.node_id, COALESCE(m.queued_at, now())
      FROM unnest(${column((m) => m.id)}::uuid[], ${column((m) => m.contact.id)}::uuid[],
                  ${column((m) => m.template.id)}::uuid[], ${column((m) => m.template.version)}::int[],
                  ${column((m) => m.template.kind)}::text[], ${column((m) => m.idempotencyKey)}::text[],
                  ${column((m) => m.contact.email)}::text[], ${column((m) => JSON.stringify(m.data))}::jsonb[],
                  ${column((m) => m.origin?.scenarioRunId ?? null)}::uuid[],
                  ${column((m) => m.origin?.scenarioNodeId ?? null)}::text[],
                  ${column((m) => m.origin?.queuedAt?.toISOString() ?? null)}::timestamptz[]) WITH ORDINALITY
           AS m(id, contact_id, template_id, version, kind, idempotency_key, to_email, data, run_id, node_id, queued_at, position)
      JOIN template_versions v ON v.template_id = m.template_id AND v.version = m.version
     ORDER BY m.position
    ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
    RETURNING id::text, kind::text AS kind`;
  for (const kind of ["TRANSACTIONAL", "MARKETING"] as const) {
    const written = inserted.filter((row) => row.kind === kind).map((row) => row.id);
    await addJobs(
      tx,
      "send_email",
      written.map((messageId) => ({ payload: { messageId }, jobKey: sendJobKey(messageId) })),
      sendJobSettings(kind),
    );
  }
  for (const row of inserted) ids.set(row.id, row.id);
  const others = messages.filter((message) => !ids.has(message.id));
  if (others.length === 0) return ids;
  const earlier = await tx.message.findMany({
    where: { workspaceId, idempotencyKey: { in: others.map((message) => message.idempotencyKey) } },
    select: { id: true, idempotencyKey: true },
  });
  const byKey = new Map(earlier.map((row) => [row.idempotencyKey, row.id]));
  for (const message of others) {
    const id = byKey.get(message.idempotencyKey);
    if (!id) {
      throw new Error(`template ${message.template.id} has no version ${message.template.version}`);
    }
    ids.set(message.id, id);
  }
  return ids;
}

/**
 * Writes one QUEUED message and its `send_email` job (`insertQueuedMessages` of one). When the
 * key was used before, nothing is written and the earlier message's id comes back with
 * `created: false`.
 */
export async function insertQueuedMessage(
  tx: Transaction,
  input: Omit<QueuedMessageRow, "id"> & { workspaceId: string },
): Promise<{ id: string; created: boolean }> {
  const { workspaceId, ...row } = input;
  const chosen = randomUUID();
  const id = (await insertQueuedMessages(tx, workspaceId, [{ ...row, id: chosen }])).get(chosen);
  if (!id) throw new Error(`message ${chosen} was not written`);
  return { id, created: id === chosen };
}

/** Throws InvalidInputError unless mail can be queued with the template: not archived, with a from address. */
export function assertSendable(
  template: { archivedAt: Date | null; fromEmail: string | null },
  settings: { fromEmail: string | null },
): void {
  if (template.archivedAt) throw InvalidInputError.field(["templateId"], "is archived");
  if (!template.fromEmail && !settings.fromEmail) {
    throw InvalidInputError.field(
      ["templateId"],
      "has no from address: set one on the template or in the email settings",
    );
  }
}

function sameRequestOrConflict(
  existing: Message,
  input: z.output<typeof queueEmailInput>,
): Message {
  if (existing.templateId !== input.templateId || existing.contactId !== input.contactId) {
    throw new ConflictError(
      "this idempotency key was already used for another template or contact",
      ["idempotencyKey"],
    );
  }
  return existing;
}
