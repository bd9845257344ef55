import type { Contact } from "../../generated/prisma/client.ts";
import type { ContactDateField } from "./definition/definition.ts";

/** Where a date of the contact is read: a date field, or a custom property. */
export interface ContactDateSource {
  field?: ContactDateField | undefined;
  property?: string | undefined;
}

/**
 * A date of the contact, or null when it is missing or not a date. A property may hold a date
 * (`2026-05-01`) or an ISO timestamp; what counts is its calendar day in UTC, as for the fields.
 *
 * @example contactDateOf(contact, { property: "last_order_at" })
 */
export function contactDateOf(
  contact: Pick<Contact, "birthday" | "createdAt" | "lastSeenAt" | "properties">,
  source: ContactDateSource,
): Date | null {
  const raw =
    source.field === "BIRTHDAY"
      ? contact.birthday
      : source.field === "CREATED_AT"
        ? contact.createdAt
        : source.field === "LAST_SEEN_AT"
          ? contact.lastSeenAt
          : (contact.properties as Record<string, unknown> | null)?.[source.property ?? ""];
  const date = raw instanceof Date ? raw : typeof raw === "string" ? new Date(raw) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}
