import { type EmailStats, emptyStats, templateStats } from "../domain/messages/message-stats.ts";
import { builder } from "./builder.ts";
import type { Context } from "./context.ts";

/** Delivery and engagement counts (GraphQL `EmailStats`). */
export const EmailStatsRef = builder.objectRef<EmailStats>("EmailStats").implement({
  description:
    "Unique counts: a message counts once however often it was opened or clicked. `opened` leaves out Apple Mail privacy pre-fetches; a click counts as an open.",
  fields: (t) => ({
    queued: t.exposeInt("queued"),
    sent: t.exposeInt("sent", { description: "Accepted by SES." }),
    delivered: t.exposeInt("delivered"),
    opened: t.exposeInt("opened"),
    clicked: t.exposeInt("clicked"),
    bounced: t.exposeInt("bounced"),
    complained: t.exposeInt("complained"),
    unsubscribed: t.exposeInt("unsubscribed"),
    suppressed: t.exposeInt("suppressed", { description: "Not sent: consent or suppression." }),
    failed: t.exposeInt("failed"),
  }),
});

const pending = new WeakMap<
  Context,
  { ids: Set<string>; result: Promise<Map<string, EmailStats>> }
>();

/**
 * The stats of one template, batched per request: every template of a list resolved in the
 * same tick shares one aggregate query.
 */
export async function loadTemplateStats(
  context: Context,
  workspaceId: string,
  templateId: string,
): Promise<EmailStats> {
  let batch = pending.get(context);
  if (!batch) {
    const ids = new Set<string>();
    const result = Promise.resolve().then(() => {
      pending.delete(context);
      return templateStats(workspaceId, [...ids]);
    });
    batch = { ids, result };
    pending.set(context, batch);
  }
  batch.ids.add(templateId);
  return (await batch.result).get(templateId) ?? emptyStats;
}
