import type { z } from "zod";
import { db, isUniqueViolation, type Transaction, withTransaction } from "../../db.ts";
import type { Contact, Prisma } from "../../generated/prisma/client.ts";
import { ConflictError, NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { ensureTags } from "../tags/tags.ts";
import { addTags, type Tagging } from "./add-tags.ts";
import { queueContactDataChange } from "./contact-changes.ts";
import { type ContactInput, contactInput, upsertContactInput } from "./contact-input.ts";
import { contactColumns, mergeProperties } from "./contact-row.ts";

export interface UpsertContactResult {
  contact: Contact;
  created: boolean;
}

/**
 * Creates or updates the contact named by `externalId` (preferred) or `email`, merging
 * `properties` key by key (`null` removes a key) and adding `tags` (created when missing).
 * Runs in `tx` when given (then a clash with a concurrent writer is the caller's to retry).
 *
 * @example upsertContact(workspaceId, { email: "ada@example.com", properties: { plan: "pro" } })
 */
export async function upsertContact(
  workspaceId: string,
  rawInput: z.input<typeof upsertContactInput> | Record<string, unknown>,
  tx?: Transaction,
): Promise<UpsertContactResult> {
  const input = parseInput(upsertContactInput, rawInput);
  return withUniqueRetry(tx, () =>
    withTransaction(
      async (tx) => {
        const existing = await findByIdentity(tx, workspaceId, input);
        const now = new Date();
        const contact = existing
          ? await tx.contact.update({
              where: { id_workspaceId: { workspaceId: existing.workspaceId, id: existing.id } },
              data: {
                ...contactColumns(input, now),
                properties: mergeProperties(existing.properties, input.properties),
              },
            })
          : await tx.contact.create({
              data: {
                workspaceId,
                ...contactColumns(input, now),
                properties: mergeProperties({}, input.properties),
              },
            });
        const tagged = await tagContact(tx, workspaceId, contact.id, input.tags);
        await queueContactDataChange(tx, workspaceId, [contact.id], tagged);
        return { contact, created: !existing };
      },
      { tx },
    ),
  );
}

/** Changes the given fields of one contact; `null` clears a field. Runs in `tx` when given. */
export async function updateContact(
  workspaceId: string,
  contactId: string,
  rawInput: z.input<typeof contactInput> | Record<string, unknown>,
  tx?: Transaction,
): Promise<Contact> {
  const input = parseInput(contactInput, rawInput);
  return withUniqueRetry(tx, () =>
    withTransaction(
      async (tx) => {
        const existing = await findContactIn(tx, workspaceId, contactId);
        const contact = await tx.contact.update({
          where: { id_workspaceId: { workspaceId: existing.workspaceId, id: existing.id } },
          data: {
            ...contactColumns(input, new Date()),
            ...(input.properties && {
              properties: mergeProperties(existing.properties, input.properties),
            }),
          },
        });
        const tagged = await tagContact(tx, workspaceId, contact.id, input.tags);
        await queueContactDataChange(tx, workspaceId, [contact.id], tagged);
        return contact;
      },
      { tx },
    ),
  );
}

/** Erases a contact with its events and tags (a GDPR erase). Returns the erased id. */
export async function deleteContact(workspaceId: string, contactId: string): Promise<string> {
  if (!isUuid(contactId)) throw new NotFoundError("Contact", contactId);
  const [, , { count }] = await db().$transaction([
    db().order.updateMany({ where: { workspaceId, contactId }, data: { contactId: null } }),
    db().cart.updateMany({ where: { workspaceId, contactId }, data: { contactId: null } }),
    db().contact.deleteMany({ where: { workspaceId, id: contactId } }),
  ]);
  if (count === 0) throw new NotFoundError("Contact", contactId);
  return contactId;
}

/** The workspace's contact, or NotFoundError. */
export async function findContactIn(
  client: Transaction,
  workspaceId: string,
  contactId: string,
): Promise<Contact> {
  const contact = isUuid(contactId)
    ? await client.contact.findFirst({ where: { id: contactId, workspaceId } })
    : null;
  if (!contact) throw new NotFoundError("Contact", contactId);
  return contact;
}

async function findByIdentity(
  tx: Transaction,
  workspaceId: string,
  input: ContactInput,
): Promise<Contact | null> {
  const [byExternalId, byEmail] = await Promise.all([
    input.externalId
      ? tx.contact.findUnique({
          where: { workspaceId_externalId: { workspaceId, externalId: input.externalId } },
        })
      : null,
    input.email
      ? tx.contact.findUnique({ where: { workspaceId_email: { workspaceId, email: input.email } } })
      : null,
  ]);
  if (byExternalId && byEmail && byExternalId.id !== byEmail.id) {
    throw new ConflictError(
      `email ${input.email} belongs to another contact than externalId ${input.externalId}`,
      ["email"],
    );
  }
  return byExternalId ?? byEmail;
}

async function tagContact(
  tx: Transaction,
  workspaceId: string,
  contactId: string,
  tagNames: string[] | undefined,
): Promise<Tagging[]> {
  if (!tagNames?.length) return [];
  const tags = await ensureTags(tx, workspaceId, tagNames);
  return addTags(tx, workspaceId, [contactId], tags);
}

/**
 * Two concurrent upserts of the same new contact race on the unique index; the loser retries
 * once and then finds the winner's row. A clash that survives the retry is a real conflict.
 * Inside a caller's transaction there is no retry (the transaction is aborted): the clash is
 * reported as a conflict at once.
 */
async function withUniqueRetry<T>(tx: Transaction | undefined, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt >= 1 || tx) {
        const fields = uniqueFields(error as Prisma.PrismaClientKnownRequestError);
        throw new ConflictError(`another contact already has this ${fields.join(" and ")}`, fields);
      }
    }
  }
}

function uniqueFields(error: Prisma.PrismaClientKnownRequestError): string[] {
  const text = JSON.stringify(error.meta ?? {});
  if (text.includes("external")) return ["externalId"];
  if (text.includes("email")) return ["email"];
  return ["input"];
}

/** Loads one contact of the workspace with Pothos's selection, or null. */
export function loadContact<Q extends object>(workspaceId: string, contactId: string, query: Q) {
  if (!isUuid(contactId)) return Promise.resolve(null);
  return db().contact.findFirst({ ...query, where: { id: contactId, workspaceId } });
}
