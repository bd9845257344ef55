import { loadEmailSettings, updateEmailSettings } from "../domain/messages/email-settings.ts";
import { sendingLimitsOf } from "../domain/messages/policy/sending-limits.ts";
import type { WorkspaceEmailSettings } from "../generated/prisma/client.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { Workspace } from "./workspaces.ts";

const FrequencyCap = builder.objectRef<{ count: number; hours: number }>("FrequencyCap").implement({
  fields: (t) => ({ count: t.exposeInt("count"), hours: t.exposeInt("hours") }),
});
const QuietHours = builder.objectRef<{ from: string; to: string }>("QuietHours").implement({
  fields: (t) => ({
    from: t.exposeString("from", { description: "HH:MM, e.g. 21:00." }),
    to: t.exposeString("to", { description: "HH:MM, e.g. 08:00." }),
  }),
});
const FrequencyCapInput = builder.inputType("FrequencyCapInput", {
  fields: (t) => ({ count: t.int({ required: true }), hours: t.int({ required: true }) }),
});
const QuietHoursInput = builder.inputType("QuietHoursInput", {
  fields: (t) => ({ from: t.string({ required: true }), to: t.string({ required: true }) }),
});

const EmailSettings = builder.objectRef<WorkspaceEmailSettings>("EmailSettings").implement({
  description: "What every email of the workspace needs.",
  fields: (t) => ({
    shopName: t.exposeString("shopName", {
      nullable: true,
      description: "Default: the workspace name.",
    }),
    shopUrl: t.exposeString("shopUrl", { nullable: true }),
    logoUrl: t.exposeString("logoUrl", { nullable: true }),
    postalAddress: t.exposeString("postalAddress", {
      nullable: true,
      description: "Printed in every footer; anti-spam laws require it for marketing.",
    }),
    supportEmail: t.exposeString("supportEmail", { nullable: true }),
    fromName: t.exposeString("fromName", { nullable: true }),
    fromEmail: t.exposeString("fromEmail", { nullable: true, description: "Default sender." }),
    replyTo: t.exposeString("replyTo", { nullable: true }),
    currency: t.exposeString("currency"),
    locale: t.exposeString("locale"),
    timezone: t.exposeString("timezone", { nullable: true }),
    consentRequired: t.exposeBoolean("consentRequired", {
      description: "Marketing goes only to SUBSCRIBED contacts. Default true.",
    }),
    doubleOptIn: t.exposeBoolean("doubleOptIn", {
      description:
        "A storefront `subscribe` leaves the contact PENDING and mails a confirmation link; only the link makes it SUBSCRIBED. Default true (what EU law expects).",
    }),
    sendRatePerSecond: t.exposeFloat("sendRatePerSecond", {
      description:
        "Emails per second across all workers; set it to your SES MaxSendRate. Default 1.",
    }),
    frequencyCaps: t.field({
      type: [FrequencyCap],
      description:
        "At most `count` scenario marketing emails per contact in any `hours` hours; a capped send waits for the first free slot (or is skipped, per node). Transactional mail is exempt.",
      resolve: (settings) =>
        sendingLimitsOf(settings).frequencyCaps as { count: number; hours: number }[],
    }),
    quietHours: t.field({
      type: QuietHours,
      nullable: true,
      description:
        "No scenario marketing mail between these times, in each contact's time zone (else the workspace's).",
      resolve: (settings) => sendingLimitsOf(settings).quietHours,
    }),
  }),
});

builder.objectField(Workspace, "emailSettings", (t) =>
  t.field({
    type: EmailSettings,
    authScopes: { scope: "templates:read" },
    nullable: true,
    description:
      "Null (with a FORBIDDEN error) for a key without templates:read, and for the admin key, which manages workspaces and keys, not their mail.",
    resolve: (workspace) => loadEmailSettings(workspace.id),
  }),
);

const UpdateEmailSettingsInput = builder.inputType("UpdateEmailSettingsInput", {
  description: "Fields to change; left out = kept, null = cleared.",
  fields: (t) => ({
    shopName: t.string(),
    shopUrl: t.string(),
    logoUrl: t.string(),
    postalAddress: t.string(),
    supportEmail: t.string(),
    fromName: t.string(),
    fromEmail: t.string(),
    replyTo: t.string(),
    currency: t.string({ description: "ISO 4217, e.g. EUR." }),
    locale: t.string({ description: "BCP 47, e.g. en-GB." }),
    timezone: t.string({ description: "IANA, e.g. Europe/Paris." }),
    consentRequired: t.boolean(),
    doubleOptIn: t.boolean(),
    sendRatePerSecond: t.float(),
    frequencyCaps: t.field({
      type: [FrequencyCapInput],
      description: "Replaces the caps; [] removes them.",
    }),
    quietHours: t.field({ type: QuietHoursInput, description: "null removes them." }),
  }),
});

builder.mutationField("updateEmailSettings", (t) =>
  t.field({
    type: EmailSettings,
    description: "Sets the workspace's email settings.",
    authScopes: { scope: "templates:write" },
    errors: { types: mutationErrors, dataField: { name: "emailSettings" } },
    args: { input: t.arg({ type: UpdateEmailSettingsInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateEmailSettings(
        workspaceOf(context.principal),
        Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
      ),
  }),
);
