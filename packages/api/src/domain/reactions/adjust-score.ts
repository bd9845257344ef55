import { z } from "zod";
import { type Transaction, withTransaction } from "../../db.ts";
import type { Contact } from "../../generated/prisma/client.ts";
import { lockContact } from "../contacts/lock-contact.ts";
import { startScoreCrossingRuns } from "../scenarios/triggers/react-to-event.ts";
import { writeScoreChange } from "../scores/score-changes.ts";
import { refreshSegmentsForContacts } from "../segments/incremental.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

const adjustment = z.object({
  delta: z
    .number()
    .int("must be a whole number")
    .min(-100_000)
    .max(100_000)
    .refine((delta) => delta !== 0, "must not be 0"),
  reason: z.string().trim().min(1, "give a reason").max(500),
});

/**
 * Changes a contact's score by hand, with a reason kept in its score history, and re-checks
 * the segments that depend on the score and the scenarios a crossed threshold starts, in one
 * transaction (the caller's, when given).
 *
 * @example await adjustScore(workspaceId, contactId, { delta: 20, reason: "Asked for a demo by phone" })
 */
export async function adjustScore(
  workspaceId: string,
  contactId: string,
  input: z.input<typeof adjustment>,
  options: { now?: Date; tx?: Transaction } = {},
): Promise<Contact> {
  const { delta, reason } = parseInput(adjustment, input);
  const now = options.now ?? new Date();
  return withTransaction(
    async (tx) => {
      if (!isUuid(contactId) || !(await lockContact(tx, workspaceId, contactId))) {
        throw new NotFoundError("Contact", contactId);
      }
      const after = await writeScoreChange(tx, {
        workspaceId,
        contactId,
        kind: "MANUAL",
        delta,
        reason,
        occurredAt: now,
      });
      await refreshSegmentsForContacts(tx, workspaceId, [contactId], { kind: "score" }, now);
      if (after !== null) {
        await startScoreCrossingRuns(tx, {
          workspaceId,
          contactId,
          before: after - delta,
          after,
          now,
        });
      }
      return tx.contact.findUniqueOrThrow({
        where: { id_workspaceId: { workspaceId, id: contactId } },
      });
    },
    { tx: options.tx },
  );
}
