import type { Transaction } from "../../db.ts";
import { recordOrderContribution, recordViewContribution } from "./record-contributions.ts";

/**
 * What an event adds to the recommendation graphs, in its reaction's transaction: a
 * `Product Viewed` its view (to its session), an event that wrote an order that order's
 * basket. Both are keyed (by event id, by order id), so a retried job adds nothing twice.
 *
 * @example await recordEventSignals(tx, event, shopping.orderId)
 */
export async function recordEventSignals(
  tx: Transaction,
  event: {
    id: string;
    workspaceId: string;
    contactId: string | null;
    name: string;
    occurredAt: Date;
    properties: Record<string, unknown>;
  },
  orderId: string | null,
): Promise<void> {
  if (orderId) await recordOrderContribution(tx, event.workspaceId, orderId);
  if (event.name !== "Product Viewed") return;
  const productId = event.properties.product_id;
  if (typeof productId !== "string" || productId === "") return;
  const [ids] = await tx.$queryRaw<{ anonymousId: string | null }[]>`
    SELECT anonymous_id AS "anonymousId" FROM events
     WHERE workspace_id = ${event.workspaceId}::uuid AND id = ${event.id}::bigint`;
  await recordViewContribution(tx, {
    id: event.id,
    workspaceId: event.workspaceId,
    contactId: event.contactId,
    anonymousId: ids?.anonymousId ?? null,
    productId,
    occurredAt: event.occurredAt,
  });
}
