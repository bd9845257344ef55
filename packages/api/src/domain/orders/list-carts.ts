import { z } from "zod";
import { db } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { cartStatuses } from "./record-carts.ts";

export const cartFilter = z
  .object({
    status: z.array(z.enum(cartStatuses)).min(1),
    contactId: z.string().refine(isUuid, "is not a contact id"),
    updatedAt: z.object({
      min: z.date().nullable().optional(),
      max: z.date().nullable().optional(),
    }),
  })
  .partial();
export type CartFilter = z.input<typeof cartFilter>;

/** A cart filter as a Prisma `where`, always confined to `workspaceId`. */
export function cartWhere(
  workspaceId: string,
  rawFilter: CartFilter | undefined,
): Prisma.CartWhereInput {
  const filter = parseInput(cartFilter, rawFilter ?? {}, ["filter"]);
  const and: Prisma.CartWhereInput[] = [{ workspaceId }];
  if (filter.status) and.push({ status: { in: filter.status } });
  if (filter.contactId) and.push({ contactId: filter.contactId });
  const { min, max } = filter.updatedAt ?? {};
  if (min || max) and.push({ updatedAt: { ...(min && { gte: min }), ...(max && { lte: max }) } });
  return { AND: and };
}

/** Most recently changed first, the id breaking ties (cursors need a total order). */
export const cartOrderBy: Prisma.CartOrderByWithRelationInput[] = [
  { updatedAt: "desc" },
  { id: "desc" },
];

/**
 * Lists a workspace's carts, most recently changed first. `query` carries Pothos's selection
 * and pagination (take/skip/cursor), so nested fields (lines, contact) load in the same query.
 *
 * @example await listCarts(workspaceId, { filter: { status: ["ABANDONED"] }, query: { take: 50 } })
 */
export function listCarts<Q extends { take?: number; skip?: number }>(
  workspaceId: string,
  options: { filter?: CartFilter | undefined; query: Q },
) {
  return db().cart.findMany({
    ...options.query,
    where: cartWhere(workspaceId, options.filter),
    orderBy: cartOrderBy,
  });
}

export function countCarts(workspaceId: string, filter?: CartFilter): Promise<number> {
  return db().cart.count({ where: cartWhere(workspaceId, filter) });
}

/** One cart of the workspace by its row id, shaped by Pothos's selection, or null. */
export function loadCart<Q extends object>(workspaceId: string, cartId: string, query: Q) {
  if (!isUuid(cartId)) return Promise.resolve(null);
  return db().cart.findFirst({ ...query, where: { id: cartId, workspaceId } });
}

/** One cart of the workspace by the shop's cart id, shaped by Pothos's selection, or null. */
export function loadCartByShopId<Q extends object>(
  workspaceId: string,
  shopCartId: string,
  query: Q,
) {
  return db().cart.findUnique({
    ...query,
    where: { workspaceId_shopCartId: { workspaceId, shopCartId } },
  });
}
