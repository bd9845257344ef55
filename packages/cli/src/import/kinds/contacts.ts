import { defined, readCells } from "../cells.ts";
import type { ImportKind, Mapped } from "../import-kind.ts";
import { csvFieldName, jsonObject, stringField } from "./field-names.ts";

const consentStatuses = ["UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"] as const;
const defaultConsentSource = "import";

const columnOf: Record<string, string> = {
  externalId: "id",
  firstName: "first_name",
  lastName: "last_name",
  "consent.status": "consent",
  "consent.source": "consent_source",
};

/**
 * Contacts, sent to `importContacts` (scope `contacts:write`), named by the shop's customer id
 * (`id`, the contact's externalId) or, without one, by email. NDJSON lines are `ContactInput`
 * objects as they are.
 */
export const contacts: ImportKind = {
  name: "contacts",
  scope: "contacts:write",
  mutationName: "importContacts",
  mutation: `mutation ImportContacts($rows: [ContactInput!]!) {
    importContacts(input: { contacts: $rows }) {
      __typename
      ... on MutationImportContactsSuccess { result { createdCount updatedCount } }
      ... on InvalidInputError { problems { path message } }
      ... on Error { message }
    }
  }`,
  rowsField: "contacts",
  maxBatch: 1000,
  csvColumns: [
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "locale",
    "timezone",
    "birthday",
    "tags",
    "consent",
    "consent_source",
  ],
  csvRequired: [],
  csvProperties: true,
  fromCsv([row]): Mapped {
    const cells = readCells(row?.cells ?? {});
    const externalId = cells.text("id");
    const email = cells.text("email");
    const consent = cells.oneOf("consent", consentStatuses);
    const input = defined({
      externalId,
      email,
      firstName: cells.text("first_name"),
      lastName: cells.text("last_name"),
      phone: cells.text("phone"),
      locale: cells.text("locale"),
      timezone: cells.text("timezone"),
      birthday: cells.text("birthday"),
      tags: cells.list("tags"),
      consent: consent && {
        status: consent,
        source: cells.text("consent_source") ?? defaultConsentSource,
      },
      properties: cells.properties(),
    });
    const id = externalId ?? email ?? null;
    if (id === null) cells.problems.push({ field: "id", message: "give an id or an email" });
    if (cells.problems.length > 0 || id === null) return { problems: cells.problems, id };
    return { input, id };
  },
  fromJson(value): Mapped {
    const object = jsonObject(value);
    if (!object) return { problems: [{ field: "", message: "must be a JSON object" }], id: null };
    const id = stringField(object, "externalId") ?? stringField(object, "email");
    if (id === null) {
      return { problems: [{ field: "externalId", message: "give an externalId or an email" }], id };
    }
    return { input: object, id };
  },
  uniqueKeys: (input) => [
    ...(typeof input.externalId === "string" ? [`contact id ${input.externalId}`] : []),
    ...(typeof input.email === "string" ? [`email ${input.email.trim().toLowerCase()}`] : []),
  ],
  fieldName: (path, format) =>
    format === "csv" ? (columnOf[path.join(".")] ?? csvFieldName(path, columnOf)) : path.join("."),
};
