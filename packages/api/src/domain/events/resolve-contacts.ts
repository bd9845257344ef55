import { pool } from "../../db.ts";
import type { ContactInput } from "../contacts/contact-input.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import { ConflictError, InvalidInputError } from "../shared/errors.ts";
import type { IngestEvent } from "./event-input.ts";

export interface ResolvedContacts {
  /** The contact each userId of the batch names. */
  byUserId: Map<string, string>;
  /** userIds whose traits could not be saved, with the reason. */
  failed: Map<string, string>;
}

/**
 * Finds or creates the contact behind every userId in a batch (an email, or the shop's customer
 * id), merging the batch's traits into it in event order. Userids that only name a known
 * contact cost one set-based lookup; traits go through `upsertContact`, so they follow the same
 * rules as the API's. The caller passes only first deliveries, so a retry merges nothing again.
 *
 * An unverified identity (a browser without a matching `userHash`) may create a contact and
 * link its events, but never changes a contact that exists: not its name, properties, email or
 * consent. Its traits apply only to a contact it creates, and an email trait that another
 * contact holds is left out.
 *
 * @example resolveContacts(workspaceId, events).byUserId.get("ada@example.com")
 */
export async function resolveContacts(
  workspaceId: string,
  events: readonly IngestEvent[],
): Promise<ResolvedContacts> {
  const inputs = mergedInputs(events);
  const resolved: ResolvedContacts = { byUserId: new Map(), failed: new Map() };
  if (inputs.size === 0) return resolved;
  const unverified = new Set(
    events.flatMap((event) => (event.userId && !event.verified ? [event.userId] : [])),
  );
  const known = await findKnownContacts(workspaceId, [...inputs.values()]);
  for (const [userId, merged] of inputs) {
    const existing = known.get(identityKey(merged));
    if (existing && (!setsFields(merged) || unverified.has(userId))) {
      resolved.byUserId.set(userId, existing);
      continue;
    }
    let input = merged;
    if (
      unverified.has(userId) &&
      input.externalId &&
      input.email &&
      known.has(`email:${input.email}`)
    ) {
      const { email: _someoneElses, ...withoutEmail } = input;
      input = withoutEmail;
    }
    try {
      resolved.byUserId.set(userId, await upsertWithFallback(workspaceId, input));
    } catch (error) {
      if (!(error instanceof InvalidInputError || error instanceof ConflictError)) throw error;
      resolved.failed.set(userId, error.message);
    }
  }
  return resolved;
}

function mergedInputs(events: readonly IngestEvent[]): Map<string, ContactInput> {
  const inputs = new Map<string, ContactInput>();
  for (const event of events) {
    if (!event.userId || !event.contact) continue;
    const earlier = inputs.get(event.userId);
    inputs.set(
      event.userId,
      earlier
        ? {
            ...earlier,
            ...event.contact,
            ...((earlier.properties || event.contact.properties) && {
              properties: { ...earlier.properties, ...event.contact.properties },
            }),
          }
        : event.contact,
    );
  }
  return inputs;
}

/** The field a userId set: externalId for a customer id, email for an email. */
const identityKey = (input: ContactInput) =>
  input.externalId ? `externalId:${input.externalId}` : `email:${input.email}`;

const setsFields = (input: ContactInput) =>
  Object.keys(input).some((key) => key !== (input.externalId ? "externalId" : "email"));

async function findKnownContacts(
  workspaceId: string,
  inputs: ContactInput[],
): Promise<Map<string, string>> {
  const externalIds = inputs.flatMap((input) => (input.externalId ? [input.externalId] : []));
  // Every email, also beside a customer id: an unverified identity must not take one that is held.
  const emails = inputs.flatMap((input) => (input.email ? [input.email] : []));
  const { rows } = await pool().query<{
    id: string;
    email: string | null;
    external_id: string | null;
  }>(
    `SELECT id, email, external_id FROM contacts
      WHERE workspace_id = $1 AND (external_id = ANY($2::text[]) OR email = ANY($3::text[]))`,
    [workspaceId, externalIds, emails],
  );
  const known = new Map<string, string>();
  for (const row of rows) {
    if (row.external_id) known.set(`externalId:${row.external_id}`, row.id);
    if (row.email) known.set(`email:${row.email}`, row.id);
  }
  return known;
}

/**
 * A customer id whose traits carry an email already taken by another contact still resolves:
 * the customer id wins and that email is left out.
 */
async function upsertWithFallback(workspaceId: string, input: ContactInput): Promise<string> {
  try {
    return (await upsertContact(workspaceId, input)).contact.id;
  } catch (error) {
    if (!(error instanceof ConflictError) || !input.externalId || !input.email) throw error;
    const { email: _taken, ...withoutEmail } = input;
    return (await upsertContact(workspaceId, withoutEmail)).contact.id;
  }
}
