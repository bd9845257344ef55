import { z } from "zod";
import { db, type Executor } from "../../db.ts";
import type { WorkspaceEmailSettings } from "../../generated/prisma/client.ts";
import { parseInput } from "../shared/validation.ts";
import { findWorkspace } from "../workspaces/workspaces.ts";

/** The settings a workspace that never saved any has. */
export function defaultEmailSettings(workspaceId: string): WorkspaceEmailSettings {
  return {
    workspaceId,
    shopName: null,
    shopUrl: null,
    logoUrl: null,
    postalAddress: null,
    supportEmail: null,
    fromName: null,
    fromEmail: null,
    replyTo: null,
    currency: "USD",
    locale: "en-US",
    timezone: null,
    consentRequired: true,
    doubleOptIn: true,
    sendRatePerSecond: 1,
    frequencyCaps: [],
    quietHoursStart: null,
    quietHoursEnd: null,
    updatedAt: new Date(0),
  };
}

/** The workspace's email settings, or the defaults (consent required, 1 email per second). */
export async function loadEmailSettings(
  workspaceId: string,
  executor: Executor = db(),
): Promise<WorkspaceEmailSettings> {
  const settings = await executor.workspaceEmailSettings.findUnique({ where: { workspaceId } });
  return settings ?? defaultEmailSettings(workspaceId);
}

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const optionalText = (max: number) => z.string().trim().min(1).max(max).nullable().optional();

export const emailSettingsInput = z.object({
  shopName: optionalText(200),
  shopUrl: httpUrl.nullable().optional(),
  logoUrl: httpUrl.nullable().optional(),
  postalAddress: optionalText(500),
  supportEmail: z.email().nullable().optional(),
  fromName: optionalText(200),
  fromEmail: z.email().nullable().optional(),
  replyTo: z.email().nullable().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .optional(),
  locale: z
    .string()
    .refine((value) => {
      try {
        return Intl.getCanonicalLocales(value).length === 1;
      } catch {
        return false;
      }
    }, "must be a BCP 47 locale such as en-GB")
    .optional(),
  timezone: z
    .string()
    .refine((value) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: value });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as Europe/Paris")
    .nullable()
    .optional(),
  consentRequired: z.boolean().optional(),
  doubleOptIn: z.boolean().optional(),
  sendRatePerSecond: z.number().min(0.01, "must be at least 0.01").max(10_000).optional(),
  /** At most `count` scenario marketing emails per contact in any `hours` hours. */
  frequencyCaps: z
    .array(
      z.object({
        count: z.number().int().min(1).max(1000),
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90),
      }),
    )
    .max(5)
    .optional(),
  /** No scenario marketing mail between these times of day in the contact's time zone. */
  quietHours: z
    .object({
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 21:00"),
      to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 08:00"),
    })
    .refine((q) => q.from !== q.to, "from and to must differ")
    .nullable()
    .optional(),
});

/**
 * Sets the workspace's email settings; fields left out keep their value, `null` clears one.
 *
 * @example updateEmailSettings(workspaceId, { shopName: "Acme", postalAddress: "1 Main St, Springfield", fromEmail: "shop@acme.test", sendRatePerSecond: 14 })
 */
export async function updateEmailSettings(
  workspaceId: string,
  rawInput: z.input<typeof emailSettingsInput>,
): Promise<WorkspaceEmailSettings> {
  const { quietHours, frequencyCaps, ...input } = parseInput(emailSettingsInput, rawInput);
  await findWorkspace(workspaceId);
  const data = {
    ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
    ...(frequencyCaps && { frequencyCaps }),
    ...(quietHours !== undefined && {
      quietHoursStart: quietHours?.from ?? null,
      quietHoursEnd: quietHours?.to ?? null,
    }),
  } as Omit<Partial<WorkspaceEmailSettings>, "frequencyCaps"> & { frequencyCaps?: object[] };
  return db().workspaceEmailSettings.upsert({
    where: { workspaceId },
    create: { workspaceId, ...data },
    update: data,
  });
}
