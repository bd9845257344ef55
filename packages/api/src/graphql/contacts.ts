import { consentStatuses } from "../domain/contacts/contact-input.ts";
import { importContacts, maxImportBatch } from "../domain/contacts/import-contacts.ts";
import {
  contactOrderFields,
  countContacts,
  listContacts,
} from "../domain/contacts/list-contacts.ts";
import {
  deleteContact,
  loadContact,
  updateContact,
  upsertContact,
} from "../domain/contacts/upsert-contact.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls, withoutUndefined } from "./input.ts";
import { inCallersWorkspace, nothing } from "./scoping.ts";
import { Tag } from "./tags.ts";

export const ConsentStatus = builder.enumType("ConsentStatus", {
  values: consentStatuses,
  description:
    "Marketing consent. Marketing mail goes only to SUBSCRIBED contacts where consent is required.",
});

const Consent = builder
  .objectRef<{ status: string; source: string | null; updatedAt: Date | null; proof: unknown }>(
    "Consent",
  )
  .implement({
    fields: (t) => ({
      status: t.field({
        type: ConsentStatus,
        resolve: (consent) => consent.status as (typeof consentStatuses)[number],
      }),
      source: t.exposeString("source", {
        nullable: true,
        description: "Where consent was given or withdrawn.",
      }),
      updatedAt: t.expose("updatedAt", { type: "DateTime", nullable: true }),
      proof: t.field({
        type: "JSONObject",
        nullable: true,
        description:
          "How it was given, for the record: `method` (double_opt_in, single_opt_in), `source`, `requested_at`, `ip`, `user_agent`, and for a double opt-in `confirmed_at`, `confirmation_ip`, `confirmation_user_agent`.",
        resolve: (consent) => consent.proof as object | null,
      }),
    }),
  });

export const Contact = builder.prismaNode("Contact", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "contacts:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    email: t.exposeString("email", { nullable: true }),
    externalId: t.exposeString("externalId", {
      nullable: true,
      description: "The shop's own customer id.",
    }),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    phone: t.exposeString("phone", { nullable: true }),
    locale: t.exposeString("locale", { nullable: true }),
    timezone: t.exposeString("timezone", { nullable: true }),
    birthday: t.expose("birthday", { type: "Date", nullable: true }),
    properties: t.expose("properties", { type: "JSONObject" }),
    consent: t.field({
      type: Consent,
      select: {
        consentStatus: true,
        consentSource: true,
        consentUpdatedAt: true,
        consentProof: true,
      },
      resolve: (contact) => ({
        status: contact.consentStatus,
        source: contact.consentSource,
        updatedAt: contact.consentUpdatedAt,
        proof: contact.consentProof,
      }),
    }),
    score: t.exposeInt("score", { description: "Lead score." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime", nullable: true }),
    tags: t.field({
      type: [Tag],
      select: { tags: { include: { tag: true }, orderBy: { createdAt: "asc" } } },
      resolve: (contact) => contact.tags.map((tagging) => tagging.tag),
    }),
  }),
});

const IntRange = builder.inputType("IntRange", {
  fields: (t) => ({ min: t.int(), max: t.int() }),
});
export const DateTimeRange = builder.inputType("DateTimeRange", {
  fields: (t) => ({ min: t.field({ type: "DateTime" }), max: t.field({ type: "DateTime" }) }),
});

const ContactFilter = builder.inputType("ContactFilter", {
  fields: (t) => ({
    email: t.string({ description: "Exact email (case-insensitive)." }),
    emailContains: t.string(),
    externalId: t.string(),
    tag: t.string({ description: "Has this tag." }),
    tagsAll: t.stringList({ description: "Has every one of these tags." }),
    withoutTag: t.string(),
    score: t.field({ type: IntRange }),
    consentStatus: t.field({ type: [ConsentStatus] }),
    createdAt: t.field({ type: DateTimeRange }),
    lastSeenAt: t.field({ type: DateTimeRange }),
    segmentId: t.id({ description: "In this segment now." }),
  }),
});

const ContactOrderField = builder.enumType("ContactOrderField", {
  values: Object.fromEntries(
    contactOrderFields.map((field) => [
      field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
      { value: field },
    ]),
  ),
});
const OrderDirection = builder.enumType("OrderDirection", {
  values: { ASC: { value: "asc" }, DESC: { value: "desc" } },
});
const ContactOrder = builder.inputType("ContactOrder", {
  fields: (t) => ({
    field: t.field({ type: ContactOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true, defaultValue: "asc" }),
  }),
});

builder.queryField("contact", (t) =>
  t.prismaField({
    type: Contact,
    nullable: true,
    authScopes: { scope: "contacts:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let contactId: string;
      try {
        contactId = decodeId(id, "Contact", ["id"]);
      } catch {
        return null;
      }
      return loadContact(workspaceOf(context.principal), contactId, query);
    },
  }),
);

builder.queryField("contacts", (t) =>
  t.prismaConnection(
    {
      type: Contact,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      authScopes: { scope: "contacts:read" },
      args: {
        filter: t.arg({ type: ContactFilter }),
        orderBy: t.arg({ type: ContactOrder }),
      },
      totalCount: (_connection, { filter }, context) =>
        countContacts(workspaceOf(context.principal), toDomainFilter(filter)),
      resolve: (query, _root, { filter, orderBy }, context) =>
        listContacts(workspaceOf(context.principal), {
          filter: toDomainFilter(filter),
          orderBy: orderBy ?? undefined,
          query,
        }),
    },
    {},
  ),
);

function toDomainFilter(filter: typeof ContactFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  const segmentId = filter.segmentId ? segmentRowId(filter.segmentId) : undefined;
  return {
    ...withoutNulls(filter),
    ...(segmentId && { segmentId }),
  };
}

const ConsentInput = builder.inputType("ConsentInput", {
  fields: (t) => ({
    status: t.field({ type: ConsentStatus, required: true }),
    source: t.string({
      required: true,
      description: 'Where consent came from, e.g. "checkout checkbox".',
    }),
  }),
});

const ContactFieldsInput = builder.inputType("ContactInput", {
  description: "Fields to set. A field left out is kept; a field set to null is cleared.",
  fields: (t) => ({
    email: t.string(),
    externalId: t.string({ description: "The shop's own customer id." }),
    firstName: t.string(),
    lastName: t.string(),
    phone: t.string(),
    locale: t.string({ description: "BCP 47, e.g. en-GB." }),
    timezone: t.string({ description: "IANA, e.g. Europe/Paris." }),
    birthday: t.string({ description: "YYYY-MM-DD." }),
    properties: t.field({
      type: "JSONObject",
      description: "Merged key by key; a key set to null is removed.",
    }),
    consent: t.field({ type: ConsentInput }),
    tags: t.stringList({ description: "Tag names to add; missing tags are created." }),
  }),
});

const UpsertContactPayload = builder
  .objectRef<Awaited<ReturnType<typeof upsertContact>>>("UpsertContactPayload")
  .implement({
    fields: (t) => ({
      contact: t.field({ type: Contact, resolve: (result) => result.contact }),
      created: t.exposeBoolean("created"),
    }),
  });

builder.mutationField("upsertContact", (t) =>
  t.field({
    type: UpsertContactPayload,
    description: "Creates or updates the contact named by externalId (preferred) or email.",
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: { input: t.arg({ type: ContactFieldsInput, required: true }) },
    resolve: (_root, { input }, context) =>
      upsertContact(workspaceOf(context.principal), withoutUndefined(input)),
  }),
);

const UpdateContactInput = builder.inputType("UpdateContactInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    fields: t.field({ type: ContactFieldsInput, required: true }),
  }),
});

builder.mutationField("updateContact", (t) =>
  t.field({
    type: Contact,
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "contact" } },
    args: { input: t.arg({ type: UpdateContactInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateContact(
        workspaceOf(context.principal),
        decodeId(input.id, "Contact", ["id"]),
        withoutUndefined(input.fields),
      ),
  }),
);

const DeleteContactInput = builder.inputType("DeleteContactInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("deleteContact", (t) =>
  t.field({
    type: "ID",
    description:
      "Erases a contact with all its events and tags (a GDPR erase); its orders stay as the shop's sales records, detached from it. Returns the erased id.",
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "deletedContactId" } },
    args: { input: t.arg({ type: DeleteContactInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await deleteContact(workspaceOf(context.principal), decodeId(input.id, "Contact", ["id"]));
      return input.id;
    },
  }),
);

const ImportContactsInput = builder.inputType("ImportContactsInput", {
  fields: (t) => ({
    contacts: t.field({
      type: [ContactFieldsInput],
      required: true,
      description: `Up to ${maxImportBatch} contacts, each named by email or externalId.`,
    }),
  }),
});

const ImportedContact = builder
  .objectRef<{ index: number; contactId: string; created: boolean }>("ImportedContact")
  .implement({
    fields: (t) => ({
      index: t.exposeInt("index", { description: "The row's position in the input." }),
      contactId: t.globalID({ resolve: (row) => ({ type: "Contact", id: row.contactId }) }),
      created: t.exposeBoolean("created"),
    }),
  });

const ImportContactsPayload = builder
  .objectRef<{ rows: { index: number; contactId: string; created: boolean }[] }>(
    "ImportContactsPayload",
  )
  .implement({
    fields: (t) => ({
      createdCount: t.int({ resolve: ({ rows }) => rows.filter((row) => row.created).length }),
      updatedCount: t.int({ resolve: ({ rows }) => rows.filter((row) => !row.created).length }),
      rows: t.field({ type: [ImportedContact], resolve: ({ rows }) => rows }),
    }),
  });

builder.mutationField("importContacts", (t) =>
  t.field({
    type: ImportContactsPayload,
    description:
      "Upserts a batch of contacts. All or nothing: if a row is invalid nothing changes and the error names each bad row.",
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: { input: t.arg({ type: ImportContactsInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      rows: await importContacts(
        workspaceOf(context.principal),
        input.contacts.map(withoutUndefined),
      ),
    }),
  }),
);

/** A segment's row id from its global id; an id that is not one matches no segment. */
function segmentRowId(globalId: string): string {
  try {
    return decodeId(globalId, "Segment", ["filter", "segmentId"]);
  } catch {
    return nothing;
  }
}
