import type { Transaction } from "../../db.ts";
import { db } from "../../db.ts";

export type SuppressionKind = "HARD_BOUNCE" | "COMPLAINT";

/** Whether an address of the workspace hard-bounced or complained before. */
export async function suppressionsOf(
  workspaceId: string,
  email: string,
): Promise<{ hardBounced: boolean; complained: boolean }> {
  const rows = await db().emailSuppression.findMany({
    where: { workspaceId, email: email.toLowerCase() },
    select: { reason: true },
  });
  return {
    hardBounced: rows.some((row) => row.reason === "HARD_BOUNCE"),
    complained: rows.some((row) => row.reason === "COMPLAINT"),
  };
}

/**
 * Stops mail to an address: after a hard bounce nothing goes to it, after a complaint no
 * marketing. Recording the same suppression twice is harmless.
 *
 * @example await suppressAddress(tx, { workspaceId, email: "gone@example.com", reason: "HARD_BOUNCE", messageId })
 */
export async function suppressAddress(
  tx: Transaction,
  suppression: {
    workspaceId: string;
    email: string;
    reason: SuppressionKind;
    messageId?: string | null;
    detail?: string | null;
  },
): Promise<void> {
  await tx.emailSuppression.createMany({
    data: [
      {
        workspaceId: suppression.workspaceId,
        email: suppression.email.toLowerCase(),
        reason: suppression.reason,
        messageId: suppression.messageId ?? null,
        detail: suppression.detail ?? null,
      },
    ],
    skipDuplicates: true,
  });
}
