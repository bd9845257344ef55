import { pool } from "../../../db.ts";
import type {
  ConsentStatus,
  EmailKind,
  MessageStatus,
  WorkspaceEmailSettings,
} from "../../../generated/prisma/client.ts";
import {
  type SendableTemplateVersion,
  sendingTemplateVersions,
  type TemplateVersionCache,
} from "../../email-templates/template-version-cache.ts";
import { defaultEmailSettings } from "../email-settings.ts";

/** Everything sending one message needs, read in one query. */
export interface DeliveryContext {
  id: string;
  workspaceId: string;
  workspaceName: string;
  status: MessageStatus;
  kind: EmailKind;
  isTest: boolean;
  toEmail: string;
  data: Record<string, unknown>;
  contact: {
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    locale: string | null;
    timezone: string | null;
    properties: unknown;
    consentStatus: ConsentStatus;
  } | null;
  version: (SendableTemplateVersion & { libraryKey: string | null }) | null;
  settings: WorkspaceEmailSettings;
  /** Suppressions of the address the message goes to now (the contact's current email). */
  hardBounced: boolean;
  complained: boolean;
}

/**
 * Loads a message with its contact, workspace settings and the suppressions of its address in a
 * single round trip (this is the send path's hot read), or null. The template version's sources
 * come from `versions` (the process's cache), so they are read once per version, not per send.
 */
export async function loadDeliveryContext(
  messageId: string,
  versions: TemplateVersionCache = sendingTemplateVersions(),
): Promise<DeliveryContext | null> {
  // Named, so each connection plans this join once instead of on every send.
  const { rows } = await pool().query({
    name: "cw_load_delivery_context",
    text: `SELECT m.id, m.workspace_id, w.name AS workspace_name, m.status, m.kind, m.is_test, m.to_email, m.data,
            m.contact_id, c.email AS contact_email, c.first_name, c.last_name, c.locale, c.timezone,
            c.properties, c.consent_status,
            v.id AS version_id, t.library_key,
            to_jsonb(s) AS settings,
            EXISTS (SELECT 1 FROM email_suppressions x WHERE x.workspace_id = m.workspace_id
                       AND x.email = lower(COALESCE(c.email, m.to_email)) AND x.reason = 'HARD_BOUNCE') AS hard_bounced,
            EXISTS (SELECT 1 FROM email_suppressions x WHERE x.workspace_id = m.workspace_id
                       AND x.email = lower(COALESCE(c.email, m.to_email)) AND x.reason = 'COMPLAINT') AS complained
       FROM messages m
       JOIN workspaces w ON w.id = m.workspace_id
       LEFT JOIN contacts c ON c.id = m.contact_id
       LEFT JOIN template_versions v ON v.id = m.template_version_id
       LEFT JOIN templates t ON t.id = m.template_id
       LEFT JOIN workspace_email_settings s ON s.workspace_id = m.workspace_id
      WHERE m.id = $1`,
    values: [messageId],
  });
  const row = rows[0];
  if (!row) return null;
  const version = row.version_id ? await versions.load(row.workspace_id, row.version_id) : null;
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workspaceName: row.workspace_name,
    status: row.status,
    kind: row.kind,
    isTest: row.is_test,
    toEmail: row.to_email,
    data: row.data ?? {},
    contact: row.contact_id
      ? {
          email: row.contact_email,
          firstName: row.first_name,
          lastName: row.last_name,
          locale: row.locale,
          timezone: row.timezone,
          properties: row.properties,
          consentStatus: row.consent_status,
        }
      : null,
    version: version && { ...version, libraryKey: row.library_key },
    settings: row.settings
      ? settingsFromRow(row.workspace_id, row.settings)
      : defaultEmailSettings(row.workspace_id),
    hardBounced: row.hard_bounced,
    complained: row.complained,
  };
}

function settingsFromRow(
  workspaceId: string,
  row: Record<string, unknown>,
): WorkspaceEmailSettings {
  return {
    workspaceId,
    shopName: row.shop_name as string | null,
    shopUrl: row.shop_url as string | null,
    logoUrl: row.logo_url as string | null,
    postalAddress: row.postal_address as string | null,
    supportEmail: row.support_email as string | null,
    fromName: row.from_name as string | null,
    fromEmail: row.from_email as string | null,
    replyTo: row.reply_to as string | null,
    currency: row.currency as string,
    locale: row.locale as string,
    timezone: row.timezone as string | null,
    consentRequired: row.consent_required as boolean,
    doubleOptIn: row.double_opt_in as boolean,
    sendRatePerSecond: row.send_rate_per_second as number,
    frequencyCaps: (row.frequency_caps ?? []) as WorkspaceEmailSettings["frequencyCaps"],
    quietHoursStart: (row.quiet_hours_start ?? null) as string | null,
    quietHoursEnd: (row.quiet_hours_end ?? null) as string | null,
    updatedAt: new Date(row.updated_at as string),
  };
}
