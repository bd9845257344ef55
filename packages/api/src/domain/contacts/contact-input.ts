import { z } from "zod";

export const consentStatuses = ["UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"] as const;
export type ConsentStatusName = (typeof consentStatuses)[number];

/** Lower-cases and trims: `" Ada@Example.COM "` → `"ada@example.com"`. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const maxPropertiesBytes = 16 * 1024;

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const emailField = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email("is not a valid email address"))
  .transform(normalizeEmail);

export const contactFields = {
  email: emailField.nullable().optional(),
  externalId: z.string().trim().min(1, "must not be empty").max(255).nullable().optional(),
  firstName: optionalText(200),
  lastName: optionalText(200),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ().-]{3,24}$/, "is not a phone number")
    .nullable()
    .optional(),
  locale: z
    .string()
    .trim()
    .refine(isValidLocale, "is not a BCP 47 locale such as en-GB")
    .nullable()
    .optional(),
  timezone: z
    .string()
    .trim()
    .refine(isValidTimeZone, "is not an IANA time zone such as Europe/Paris")
    .nullable()
    .optional(),
  birthday: z.iso.date("must be a date such as 1990-04-23").nullable().optional(),
  properties: z
    .record(z.string().min(1).max(100), z.json().optional())
    .refine((value) => JSON.stringify(value).length <= maxPropertiesBytes, "is larger than 16 KB")
    .optional(),
  consent: z
    .object({
      status: z.enum(consentStatuses),
      source: z.string().trim().min(1, "must say where consent came from").max(200),
    })
    .optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
};

export const contactInput = z.object(contactFields);
export type ContactInput = z.output<typeof contactInput>;

/** An upsert names the contact by email, external id, or both. */
export const upsertContactInput = contactInput.refine(
  (input) => Boolean(input.email || input.externalId),
  { message: "give an email or an externalId to identify the contact", path: ["email"] },
);
