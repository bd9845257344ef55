import { z } from "zod";
import { withTransaction } from "../../db.ts";
import { queueContactOrdersChange } from "../contacts/contact-changes.ts";
import { ensureContacts } from "../contacts/ensure-contacts.ts";
import { batchRefusal, parseBatchRows } from "../shared/batch-rows.ts";
import { type FieldProblem, InvalidInputError } from "../shared/errors.ts";
import { exactMinorUnits } from "../shared/money.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { convertCarts } from "./convert-carts.ts";
import { maxOrderBatch, type OrderInput, orderInput } from "./order-input.ts";
import type { OrderWrite } from "./order-write.ts";
import { writeOrders } from "./write-orders.ts";

export interface UpsertedOrder {
  /** The row's position in the batch. */
  index: number;
  /** The order's row id (what GraphQL's global id encodes). */
  id: string;
  /** The shop's order id. */
  orderId: string;
  contactId: string;
  created: boolean;
}

const batchShape = z
  .array(z.unknown())
  .min(1, "give at least one order")
  .max(
    maxOrderBatch,
    `at most ${maxOrderBatch.toLocaleString("en")} orders per call; split them into batches`,
  );

/**
 * Creates or updates up to 1,000 orders pushed by the shop's backend (a live sync or a
 * backfill of past orders with their own `orderedAt`), each attached to the contact its
 * `customer` names, created if missing. See `orderInput` for the fields (amounts in major
 * units). All or nothing, as `importContacts`: one bad row changes nothing and the error names
 * every bad row (`["orders", "<index>", "<field>"]`). The same order id from an
 * `Order Completed` event and from here is one order. Orders convert the carts they bought
 * (`convertCarts`: by `cartId`, else by their items), and the segments on orders are re-checked
 * for the orders' contacts after the commit (`queueContactOrdersChange`).
 *
 * @example await upsertOrders(workspaceId, [{ orderId: "1042", customer: { email: "ada@example.com" }, total: 54.9, orderedAt: "2026-01-05T10:00:00Z" }])
 */
export async function upsertOrders(
  workspaceId: string,
  rows: unknown[],
  options: { now?: Date } = {},
): Promise<UpsertedOrder[]> {
  const shape = batchShape.safeParse(rows);
  if (!shape.success) {
    throw InvalidInputError.field(["orders"], shape.error.issues[0]?.message ?? "invalid batch");
  }
  const inputs = parseBatchRows(rows, orderInput, {
    field: "orders",
    keyField: "orderId",
    key: (row) => row.orderId,
  });
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const currency = await loadWorkspaceCurrency(tx, workspaceId);
    const problems: FieldProblem[] = [];
    const amounts = inputs.map((input, index) =>
      minorAmounts(input, input.currency ?? currency, ["orders", String(index)], problems),
    );
    if (problems.length > 0) throw batchRefusal("orders", problems, rows.length);
    const contactIds = await ensureContacts(
      tx,
      workspaceId,
      inputs.map((input) => input.customer),
      (index) => ["orders", String(index), "customer"],
    );
    const writes = inputs.map((input, index): OrderWrite => {
      const at = (input.updatedAt ?? now).toISOString();
      const money = amounts[index] as MinorAmounts;
      const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
      return {
        shop_order_id: input.orderId,
        contact_id: contactIds[index] ?? null,
        source: "API",
        currency: input.currency ?? currency,
        at,
        details: {
          order_number: input.orderNumber ?? null,
          cart_id: input.cartId ?? null,
          subtotal: money.subtotal,
          discount: money.discount,
          shipping: money.shipping,
          tax: money.tax,
          total: money.total,
          coupon: input.coupon ?? null,
          ordered_at: input.orderedAt.toISOString(),
          properties: input.properties ?? null,
          lines: money.lines,
        },
        placeholder: false,
        status: input.status ?? null,
        tracking_number: input.tracking?.number ?? null,
        tracking_url: input.tracking?.url ?? null,
        carrier: input.tracking?.carrier ?? null,
        shipped_at: iso(input.shippedAt) ?? (input.status === "SHIPPED" ? at : null),
        cancelled_at: iso(input.cancelledAt) ?? (input.status === "CANCELLED" ? at : null),
        refunds: money.refunds.map((refund, position) => ({
          refund_key: refund.refundId,
          amount: refund.amount,
          refunded_at: iso(input.refunds?.[position]?.refundedAt) ?? at,
          reason: input.refunds?.[position]?.reason ?? null,
        })),
      };
    });
    const written = await writeOrders(tx, workspaceId, writes);
    await convertCarts(
      tx,
      workspaceId,
      written.map((row) => row.id),
    );
    await queueContactOrdersChange(
      tx,
      workspaceId,
      written.flatMap((row) => row.contactIds),
    );
    return written.map((row, index) => ({
      index,
      id: row.id,
      orderId: row.shop_order_id,
      contactId: contactIds[index] as string,
      created: row.created,
    }));
  });
}

interface MinorAmounts {
  subtotal: number | null;
  discount: number | null;
  shipping: number | null;
  tax: number | null;
  total: number;
  lines: NonNullable<OrderWrite["details"]>["lines"];
  refunds: { refundId: string; amount: number | null }[];
}

/** The row's amounts in minor units; amounts the currency cannot express exactly are problems. */
function minorAmounts(
  input: OrderInput,
  currency: string,
  path: string[],
  problems: FieldProblem[],
): MinorAmounts {
  const minor = (value: number | null | undefined, at: string[]): number | null => {
    if (value === null || value === undefined) return null;
    const result = exactMinorUnits(value, currency);
    if ("minor" in result) return result.minor;
    problems.push({ path: [...path, ...at], message: result.problem });
    return null;
  };
  const lines =
    input.lines?.map((line, index) => ({
      shop_product_id: line.productId,
      shop_variant_id: line.variantId ?? null,
      sku: line.sku ?? null,
      title: line.title ?? null,
      price: minor(line.price, ["lines", String(index), "price"]) ?? 0,
      quantity: line.quantity,
      image_url: line.imageUrl ?? null,
      url: line.url ?? null,
    })) ?? null;
  const linesSum = lines?.reduce((sum, line) => sum + line.price * line.quantity, 0) ?? null;
  return {
    subtotal: minor(input.subtotal, ["subtotal"]) ?? linesSum,
    discount: minor(input.discount, ["discount"]),
    shipping: minor(input.shipping, ["shipping"]),
    tax: minor(input.tax, ["tax"]),
    total: minor(input.total, ["total"]) ?? 0,
    lines,
    refunds: (input.refunds ?? []).map((refund, index) => ({
      refundId: refund.refundId,
      amount: minor(refund.amount, ["refunds", String(index), "amount"]),
    })),
  };
}
