import type { TemplateData } from "@cartwheel/templates";
import type { WorkspaceEmailSettings } from "../../../generated/prisma/client.ts";

export interface TemplateRecipient {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  locale?: string | null;
  timezone?: string | null;
  properties?: unknown;
}

/**
 * The variables an email renders with: `shop` from the workspace's email settings, `contact`
 * from the recipient, the message's own unsubscribe and preference links, and the caller's
 * `data` (cart, order, recommendations…), which cannot replace those three.
 *
 * @example buildTemplateData({ settings, workspaceName: "Acme", recipient, links: { unsubscribe, preferences }, data: { cart } })
 */
export function buildTemplateData(input: {
  settings: WorkspaceEmailSettings;
  workspaceName: string;
  recipient: TemplateRecipient;
  links: { unsubscribe: string; preferences: string; confirmSubscription?: string };
  data?: Record<string, unknown>;
}): TemplateData {
  const { settings, recipient } = input;
  const properties =
    recipient.properties && typeof recipient.properties === "object"
      ? (recipient.properties as Record<string, unknown>)
      : {};
  return {
    ...input.data,
    shop: {
      name: settings.shopName ?? input.workspaceName,
      url: settings.shopUrl ?? "",
      logo_url: settings.logoUrl,
      currency: settings.currency,
      locale: settings.locale,
      postal_address: settings.postalAddress ?? "",
      support_email: settings.supportEmail ?? settings.replyTo ?? settings.fromEmail ?? "",
      ...(settings.timezone && { timezone: settings.timezone }),
    },
    contact: {
      email: recipient.email,
      first_name: recipient.firstName ?? null,
      last_name: recipient.lastName ?? null,
      locale: recipient.locale ?? null,
      timezone: recipient.timezone ?? null,
      properties,
    },
    unsubscribe_url: input.links.unsubscribe,
    preferences_url: input.links.preferences,
    ...(input.links.confirmSubscription && { confirm_url: input.links.confirmSubscription }),
  };
}
