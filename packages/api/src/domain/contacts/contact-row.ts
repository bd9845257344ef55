import type { Prisma } from "../../generated/prisma/client.ts";
import type { ContactInput } from "./contact-input.ts";

/** The columns an input sets. `undefined` leaves a column alone; `null` clears it. */
export function contactColumns(input: ContactInput, now: Date) {
  return {
    ...(input.email !== undefined && { email: input.email }),
    ...(input.externalId !== undefined && { externalId: input.externalId }),
    ...(input.firstName !== undefined && { firstName: input.firstName }),
    ...(input.lastName !== undefined && { lastName: input.lastName }),
    ...(input.phone !== undefined && { phone: input.phone }),
    ...(input.locale !== undefined && { locale: input.locale }),
    ...(input.timezone !== undefined && { timezone: input.timezone }),
    ...(input.birthday !== undefined && {
      birthday: input.birthday === null ? null : new Date(`${input.birthday}T00:00:00Z`),
    }),
    ...(input.consent && {
      consentStatus: input.consent.status,
      consentSource: input.consent.source,
      consentUpdatedAt: now,
    }),
  } satisfies Prisma.ContactUncheckedUpdateInput;
}

/** Merges `patch` into `current`: keys set to `null` are removed, others replaced. */
export function mergeProperties(
  current: Prisma.JsonValue,
  patch: Record<string, Prisma.JsonValue | undefined> | undefined,
): Prisma.InputJsonObject {
  const merged: Record<string, Prisma.JsonValue> =
    current && typeof current === "object" && !Array.isArray(current)
      ? ({ ...current } as Record<string, Prisma.JsonValue>)
      : {};
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null || value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged as Prisma.InputJsonObject;
}
