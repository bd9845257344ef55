import { z } from "zod";
import { db } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { orderStatuses } from "./order-write.ts";

export const orderFilter = z
  .object({
    status: z.array(z.enum(orderStatuses)).min(1),
    contactId: z.string().refine(isUuid, "is not a contact id"),
    orderId: z.string().trim().min(1).max(255),
    cartId: z.string().trim().min(1).max(255),
    orderedAt: z.object({
      min: z.date().nullable().optional(),
      max: z.date().nullable().optional(),
    }),
  })
  .partial();
export type OrderFilter = z.input<typeof orderFilter>;

/** An order filter as a Prisma `where`, always confined to `workspaceId`. */
export function orderWhere(
  workspaceId: string,
  rawFilter: OrderFilter | undefined,
): Prisma.OrderWhereInput {
  const filter = parseInput(orderFilter, rawFilter ?? {}, ["filter"]);
  const and: Prisma.OrderWhereInput[] = [{ workspaceId }];
  if (filter.status) and.push({ status: { in: filter.status } });
  if (filter.contactId) and.push({ contactId: filter.contactId });
  if (filter.orderId) and.push({ shopOrderId: filter.orderId });
  if (filter.cartId) and.push({ cartId: filter.cartId });
  const { min, max } = filter.orderedAt ?? {};
  if (min || max) and.push({ orderedAt: { ...(min && { gte: min }), ...(max && { lte: max }) } });
  return { AND: and };
}

/** Newest first, the id breaking ties (cursors need a total order). */
export const orderOrderBy: Prisma.OrderOrderByWithRelationInput[] = [
  { orderedAt: "desc" },
  { id: "desc" },
];

/**
 * Lists a workspace's orders, newest first. `query` carries Pothos's selection and pagination
 * (take/skip/cursor), so nested fields (lines, refunds, contact) load in the same query.
 */
export function listOrders<Q extends { take?: number; skip?: number }>(
  workspaceId: string,
  options: { filter?: OrderFilter | undefined; query: Q },
) {
  return db().order.findMany({
    ...options.query,
    where: orderWhere(workspaceId, options.filter),
    orderBy: orderOrderBy,
  });
}

export function countOrders(workspaceId: string, filter?: OrderFilter): Promise<number> {
  return db().order.count({ where: orderWhere(workspaceId, filter) });
}

/** One order of the workspace by its row id, shaped by Pothos's selection, or null. */
export function loadOrder<Q extends object>(workspaceId: string, orderId: string, query: Q) {
  if (!isUuid(orderId)) return Promise.resolve(null);
  return db().order.findFirst({ ...query, where: { id: orderId, workspaceId } });
}

/** One order of the workspace by the shop's order id, shaped by Pothos's selection, or null. */
export function loadOrderByShopId<Q extends object>(
  workspaceId: string,
  shopOrderId: string,
  query: Q,
) {
  return db().order.findUnique({
    ...query,
    where: { workspaceId_shopOrderId: { workspaceId, shopOrderId } },
  });
}
