import { z } from "zod";
import { isUniqueViolation, type Transaction, withTransaction } from "../../db.ts";
import { type FieldProblem, InvalidInputError } from "../shared/errors.ts";
import { queueContactDataChange } from "./contact-changes.ts";
import { type ContactInput, upsertContactInput } from "./contact-input.ts";

export const maxImportBatch = 1000;

export interface ImportedContact {
  index: number;
  contactId: string;
  created: boolean;
}

const batchShape = z
  .array(z.unknown())
  .min(1, "give at least one contact")
  .max(
    maxImportBatch,
    `at most ${maxImportBatch.toLocaleString("en")} contacts per call; split the import into batches`,
  );

/**
 * Upserts up to 1,000 contacts at once, by external id or email, with the same rules as
 * `upsertContact`. All or nothing: if any row is invalid the call changes nothing and the
 * error names every bad row (`["contacts", "<index>", "<field>"]`).
 * Runs as three set-based statements, not one query per row.
 */
export async function importContacts(
  workspaceId: string,
  rows: unknown[],
): Promise<ImportedContact[]> {
  const shape = batchShape.safeParse(rows);
  if (!shape.success) {
    throw InvalidInputError.field(["contacts"], shape.error.issues[0]?.message ?? "invalid batch");
  }
  const contacts = validateRows(rows);
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTransaction(async (tx) => {
        const imported = await writeBatch(tx, workspaceId, contacts);
        await queueContactDataChange(
          tx,
          workspaceId,
          imported.map((row) => row.contactId),
        );
        return imported;
      });
    } catch (error) {
      // A concurrent writer created one of these contacts between our read and our insert.
      if (attempt === 0 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

function validateRows(rows: unknown[]): ContactInput[] {
  const problems: FieldProblem[] = [];
  const contacts: ContactInput[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const result = upsertContactInput.safeParse(row);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({
          path: ["contacts", String(index), ...issue.path.map(String)],
          message: issue.message,
        });
      }
      return;
    }
    const contact = result.data;
    for (const [field, value] of [
      ["externalId", contact.externalId],
      ["email", contact.email],
    ] as const) {
      if (!value) continue;
      const key = `${field}:${value}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push({
          path: ["contacts", String(index), field],
          message: `repeats row ${earlier}`,
        });
      }
      seen.set(key, index);
    }
    contacts.push(contact);
  });
  if (problems.length > 0) {
    const rowsWithProblems = new Set(problems.map((problem) => problem.path[1]));
    throw new InvalidInputError(
      `${rowsWithProblems.size} of ${rows.length} rows are invalid; nothing was imported`,
      problems,
    );
  }
  return contacts;
}

interface ExistingContact {
  id: string;
  email: string | null;
  external_id: string | null;
}

async function writeBatch(tx: Transaction, workspaceId: string, contacts: ContactInput[]) {
  const emails = contacts.flatMap((contact) => (contact.email ? [contact.email] : []));
  const externalIds = contacts.flatMap((contact) =>
    contact.externalId ? [contact.externalId] : [],
  );
  const existing = await tx.$queryRawUnsafe<ExistingContact[]>(
    `SELECT id::text, email, external_id FROM contacts
      WHERE workspace_id = $1::uuid AND (email = ANY($2::text[]) OR external_id = ANY($3::text[]))`,
    workspaceId,
    emails,
    externalIds,
  );
  const byEmail = new Map(existing.filter((row) => row.email).map((row) => [row.email, row.id]));
  const byExternalId = new Map(
    existing.filter((row) => row.external_id).map((row) => [row.external_id, row.id]),
  );

  const updates: { id: string; doc: ContactInput }[] = [];
  const inserts: { index: number; doc: ContactInput }[] = [];
  const results: ImportedContact[] = [];
  const problems: FieldProblem[] = [];
  contacts.forEach((contact, index) => {
    const viaExternalId = contact.externalId ? byExternalId.get(contact.externalId) : undefined;
    const viaEmail = contact.email ? byEmail.get(contact.email) : undefined;
    if (viaExternalId && viaEmail && viaExternalId !== viaEmail) {
      problems.push({
        path: ["contacts", String(index), "email"],
        message: "belongs to another contact than this row's externalId",
      });
      return;
    }
    const id = viaExternalId ?? viaEmail;
    if (id) {
      updates.push({ id, doc: contact });
      results[index] = { index, contactId: id, created: false };
    } else {
      inserts.push({ index, doc: contact });
    }
  });
  if (problems.length > 0) {
    throw new InvalidInputError(
      `${problems.length} rows conflict with existing contacts; nothing was imported`,
      problems,
    );
  }

  if (updates.length > 0) {
    await tx.$executeRawUnsafe(updateContactsSql, workspaceId, JSON.stringify(updates));
  }
  if (inserts.length > 0) {
    const inserted = await tx.$queryRawUnsafe<ExistingContact[]>(
      insertContactsSql,
      workspaceId,
      JSON.stringify(inserts.map((insert) => insert.doc)),
    );
    const insertedBy = new Map<string, string>();
    for (const row of inserted) {
      if (row.external_id) insertedBy.set(`externalId:${row.external_id}`, row.id);
      if (row.email) insertedBy.set(`email:${row.email}`, row.id);
    }
    for (const { index, doc } of inserts) {
      const id =
        insertedBy.get(`externalId:${doc.externalId}`) ?? insertedBy.get(`email:${doc.email}`);
      if (id) results[index] = { index, contactId: id, created: true };
    }
  }
  await tagImported(tx, workspaceId, contacts, results);
  return results;
}

async function tagImported(
  tx: Transaction,
  workspaceId: string,
  contacts: ContactInput[],
  results: ImportedContact[],
) {
  const contactIds: string[] = [];
  const tagNames: string[] = [];
  contacts.forEach((contact, index) => {
    const result = results[index];
    for (const tag of new Set(contact.tags ?? [])) {
      if (!result) continue;
      contactIds.push(result.contactId);
      tagNames.push(tag);
    }
  });
  if (tagNames.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO tags (id, workspace_id, name, created_at)
     SELECT gen_random_uuid(), $1::uuid, name, now() FROM unnest($2::text[]) AS name
     ON CONFLICT (workspace_id, name) DO NOTHING`,
    workspaceId,
    [...new Set(tagNames)],
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO contact_tags (workspace_id, contact_id, tag_id, created_at)
     SELECT $1::uuid, pair.contact_id, tags.id, now()
       FROM unnest($2::uuid[], $3::text[]) AS pair(contact_id, tag_name)
       JOIN tags ON tags.workspace_id = $1::uuid AND tags.name = pair.tag_name
     ON CONFLICT DO NOTHING`,
    workspaceId,
    contactIds,
    tagNames,
  );
}

/** `d ? 'field'` distinguishes a field left out (keep the column) from one set to null. */
const keepOrSet = (column: string, field: string, cast = "") =>
  `${column} = CASE WHEN u.doc ? '${field}' THEN (u.doc->>'${field}')${cast} ELSE c.${column} END`;

const propertiesPatch = (base: string) =>
  `(${base} || COALESCE(u.doc->'properties', '{}'::jsonb)) - COALESCE(ARRAY(
      SELECT key FROM jsonb_each(COALESCE(u.doc->'properties', '{}'::jsonb)) WHERE value = 'null'::jsonb
    ), '{}'::text[])`;

const updateContactsSql = `
  UPDATE contacts c SET
    ${keepOrSet("email", "email")},
    ${keepOrSet("external_id", "externalId")},
    ${keepOrSet("first_name", "firstName")},
    ${keepOrSet("last_name", "lastName")},
    ${keepOrSet("phone", "phone")},
    ${keepOrSet("locale", "locale")},
    ${keepOrSet("timezone", "timezone")},
    ${keepOrSet("birthday", "birthday", "::date")},
    properties = ${propertiesPatch("c.properties")},
    consent_status = CASE WHEN u.doc ? 'consent' THEN (u.doc->'consent'->>'status')::consent_status ELSE c.consent_status END,
    consent_source = CASE WHEN u.doc ? 'consent' THEN u.doc->'consent'->>'source' ELSE c.consent_source END,
    consent_updated_at = CASE WHEN u.doc ? 'consent' THEN now() ELSE c.consent_updated_at END,
    updated_at = now()
  FROM (SELECT (e->>'id')::uuid AS id, e->'doc' AS doc FROM jsonb_array_elements($2::jsonb) AS e) AS u
  WHERE c.id = u.id AND c.workspace_id = $1::uuid`;

const insertContactsSql = `
  INSERT INTO contacts AS c (workspace_id, email, external_id, first_name, last_name, phone, locale, timezone,
    birthday, properties, consent_status, consent_source, consent_updated_at, created_at, updated_at)
  SELECT $1::uuid, u.doc->>'email', u.doc->>'externalId', u.doc->>'firstName', u.doc->>'lastName', u.doc->>'phone',
    u.doc->>'locale', u.doc->>'timezone', (u.doc->>'birthday')::date, ${propertiesPatch("'{}'::jsonb")},
    COALESCE((u.doc->'consent'->>'status')::consent_status, 'UNKNOWN'), u.doc->'consent'->>'source',
    CASE WHEN u.doc ? 'consent' THEN now() END, now(), now()
  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS u(doc, ord)
  RETURNING id::text, email, external_id`;
