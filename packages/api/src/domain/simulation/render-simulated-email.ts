import { renderEmail, TemplateRenderError } from "@cartwheel/templates";
import type { Transaction } from "../../db.ts";
import { previewEngine } from "../email-templates/engines.ts";
import { buildTemplateData } from "../messages/compose/template-data.ts";
import { configuredEmailLinks } from "../messages/delivery/email-services.ts";
import { loadEmailSettings } from "../messages/email-settings.ts";

/** An email a simulated run would send, rendered as the contact would read it. */
export interface SimulatedEmail {
  templateId: string | null;
  to: string;
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** The template variables it was rendered with (cart, order, recommendations, the node's data). */
  data: Record<string, unknown>;
  /** Set when the template cannot render with this data; the real send would fail the same way. */
  error: string | null;
}

/**
 * Renders a message queued inside the simulation's transaction, with the strict engine so a
 * missing variable or a Liquid typo shows. Links are not rewritten for tracking.
 */
export async function renderSimulatedEmail(
  tx: Transaction,
  messageId: string,
): Promise<SimulatedEmail | null> {
  const message = await tx.message.findFirst({
    where: { id: messageId },
    include: { templateVersion: true, contact: true, workspace: { select: { name: true } } },
  });
  if (!message?.templateVersion) return null;
  const settings = await loadEmailSettings(message.workspaceId, tx);
  const links = configuredEmailLinks();
  const stored = (message.data ?? {}) as Record<string, unknown>;
  const to = message.contact?.email ?? message.toEmail;
  const data = buildTemplateData({
    settings,
    workspaceName: message.workspace.name,
    recipient: message.contact ? { ...message.contact, email: to } : { email: to },
    links: { unsubscribe: links.unsubscribe(messageId), preferences: links.preferences(messageId) },
    data: stored,
  });
  const base = { templateId: message.templateId, to, data: stored };
  try {
    const rendered = await renderEmail(previewEngine(), message.templateVersion, data);
    return { ...base, ...rendered, error: null };
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    const where = error.line ? ` (${error.part} line ${error.line}, column ${error.column})` : "";
    return {
      ...base,
      subject: "",
      preheader: "",
      html: "",
      text: "",
      error: `${error.message}${where}`,
    };
  }
}
