import { z } from "zod";
import { withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { exactMinorUnits } from "../shared/money.ts";
import { parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";

/** The most entries one call records. */
export const maxSpendEntries = 1000;

const spendInput = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        channel: z.string().trim().min(1, "must not be empty").max(60),
        day: z.iso.date("must be a date like 2026-11-30"),
        /** Major units of the shop currency. */
        amount: z.number().finite(),
      }),
    )
    .min(1, "give at least one entry")
    .max(maxSpendEntries),
});

export type MarketingSpendInput = z.input<typeof spendInput>;

/**
 * Records what the shop spent per channel and day (a repeat of a day and channel replaces its
 * amount: it counts as updated), all or nothing: one bad entry refuses the batch and names it. CAC reads it.
 *
 * @example await recordMarketingSpend(workspaceId, { entries: [{ channel: "google_ads", day: "2026-11-02", amount: 120.5 }] })
 */
export async function recordMarketingSpend(
  workspaceId: string,
  input: MarketingSpendInput,
): Promise<{ createdCount: number; updatedCount: number }> {
  const { entries } = parseInput(spendInput, input);
  return withTransaction(async (tx) => {
    const currency = await loadWorkspaceCurrency(tx, workspaceId);
    const seen = new Set<string>();
    const rows = entries.map((entry, index) => {
      const amount = exactMinorUnits(entry.amount, currency);
      if ("problem" in amount) {
        throw InvalidInputError.field(["entries", String(index), "amount"], amount.problem);
      }
      const key = `${entry.day}\u0000${entry.channel}`;
      if (seen.has(key)) {
        throw InvalidInputError.field(
          ["entries", String(index)],
          `repeats ${entry.channel} on ${entry.day}`,
        );
      }
      seen.add(key);
      return Prisma.sql`(${workspaceId}::uuid, ${entry.channel}, ${entry.day}::date, ${amount.minor}::bigint, now())`;
    });
    const written = await tx.$queryRaw<{ created: boolean }[]>`
      INSERT INTO marketing_spend (workspace_id, channel, day, amount, updated_at)
      VALUES ${Prisma.join(rows)}
      ON CONFLICT (workspace_id, day, channel) DO UPDATE SET amount = EXCLUDED.amount, updated_at = now()
      RETURNING (xmax = 0) AS created`;
    const createdCount = written.filter((row) => row.created).length;
    return { createdCount, updatedCount: written.length - createdCount };
  });
}
