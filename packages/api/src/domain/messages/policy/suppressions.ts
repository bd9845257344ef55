import type { Transaction } from "../../../db.ts";

export type SuppressionKind = "HARD_BOUNCE" | "COMPLAINT";

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
