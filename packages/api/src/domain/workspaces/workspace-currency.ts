import type { Executor } from "../../db.ts";

/**
 * The workspace's shop currency (set in its email settings), or USD when it never set one.
 * Amounts given without a currency (events, products, orders) are in this one.
 *
 * @example await loadWorkspaceCurrency(tx, workspaceId) // "EUR"
 */
export async function loadWorkspaceCurrency(
  executor: Executor,
  workspaceId: string,
): Promise<string> {
  const settings = await executor.workspaceEmailSettings.findUnique({
    where: { workspaceId },
    select: { currency: true },
  });
  return settings?.currency ?? "USD";
}
