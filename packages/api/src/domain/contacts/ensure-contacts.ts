import type { Transaction } from "../../db.ts";
import { type FieldProblem, InvalidInputError } from "../shared/errors.ts";
import { queueContactDataChange } from "./contact-changes.ts";

/** Who a record (an order) belongs to: an externalId, an email, or both; names for a new contact. */
export interface CustomerIdentity {
  email?: string | null | undefined;
  externalId?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
}

interface ContactKeys {
  id: string;
  email: string | null;
  external_id: string | null;
}

/**
 * The contact each identity names (by externalId, else email), creating those that do not
 * exist yet with the names given, in the caller's transaction; existing contacts are not
 * changed (an old order must not overwrite a newer name). The contacts are then locked in id
 * order, as `reactToEvent` locks a contact before its orders, so the two cannot deadlock.
 * Identities whose email and externalId belong to two different contacts are refused, naming
 * `problemPath(index)`. New contacts queue the contact-data upkeep as `importContacts` does.
 *
 * @example const ids = await ensureContacts(tx, workspaceId, [{ email: "ada@example.com" }], (i) => ["orders", String(i), "customer"])
 */
export async function ensureContacts(
  tx: Transaction,
  workspaceId: string,
  identities: readonly CustomerIdentity[],
  problemPath: (index: number) => string[],
): Promise<string[]> {
  const emails = identities.flatMap((identity) => identity.email ?? []);
  const externalIds = identities.flatMap((identity) => identity.externalId ?? []);
  const byKey = new Map<string, string>();
  const remember = (rows: ContactKeys[]) => {
    for (const row of rows) {
      if (row.external_id) byKey.set(`externalId:${row.external_id}`, row.id);
      if (row.email) byKey.set(`email:${row.email}`, row.id);
    }
  };
  const findExisting = async () =>
    remember(
      await tx.$queryRawUnsafe<ContactKeys[]>(
        `SELECT id::text, email, external_id FROM contacts
          WHERE workspace_id = $1::uuid AND (email = ANY($2::text[]) OR external_id = ANY($3::text[]))`,
        workspaceId,
        emails,
        externalIds,
      ),
    );
  await findExisting();

  const problems: FieldProblem[] = [];
  const pending = new Map<string, CustomerIdentity>();
  const pendingKey = new Map<string, string>();
  identities.forEach((identity, index) => {
    const keys = [
      identity.externalId && `externalId:${identity.externalId}`,
      identity.email && `email:${identity.email}`,
    ].filter((key): key is string => Boolean(key));
    const known = [...new Set(keys.map((key) => byKey.get(key) ?? pendingKey.get(key)))];
    if (known.filter(Boolean).length > 1) {
      problems.push({
        path: [...problemPath(index), "email"],
        message: "belongs to another contact than this customer's externalId",
      });
      return;
    }
    if (known.some(Boolean)) return;
    const [first] = keys;
    if (!first) return;
    pending.set(first, identity);
    for (const key of keys) pendingKey.set(key, first);
  });
  if (problems.length > 0) {
    throw new InvalidInputError(
      `${problems.length} customers conflict; nothing was written`,
      problems,
    );
  }

  const created = pending.size
    ? await tx.$queryRawUnsafe<ContactKeys[]>(
        `INSERT INTO contacts (workspace_id, email, external_id, first_name, last_name)
         SELECT $1::uuid, r.email, r.external_id, r.first_name, r.last_name
           FROM jsonb_to_recordset($2::jsonb) AS r(email text, external_id text, first_name text, last_name text)
         ON CONFLICT DO NOTHING
         RETURNING id::text, email, external_id`,
        workspaceId,
        JSON.stringify(
          [...pending.values()].map((identity) => ({
            email: identity.email ?? null,
            external_id: identity.externalId ?? null,
            first_name: identity.firstName ?? null,
            last_name: identity.lastName ?? null,
          })),
        ),
      )
    : [];
  remember(created);
  // A concurrent writer created some of them first: they are committed now, so read them.
  if (created.length < pending.size) await findExisting();

  const contactIds = identities.map((identity, index) => {
    const id =
      (identity.externalId && byKey.get(`externalId:${identity.externalId}`)) ||
      (identity.email && byKey.get(`email:${identity.email}`));
    if (!id) throw new Error(`no contact for customer ${index}`);
    return id;
  });
  await tx.$queryRawUnsafe(
    "SELECT id FROM contacts WHERE workspace_id = $1::uuid AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE",
    workspaceId,
    [...new Set(contactIds)],
  );
  await queueContactDataChange(
    tx,
    workspaceId,
    created.map((row) => row.id),
  );
  return contactIds;
}
