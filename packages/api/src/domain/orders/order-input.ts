import { z } from "zod";
import { contactFields } from "../contacts/contact-input.ts";
import { settableOrderStatuses } from "./order-write.ts";

/** The most orders one `upsertOrders` call takes. */
export const maxOrderBatch = 1000;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
const optionalText = (max: number) => text(max).nullable().optional();
const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2000)
  .nullable()
  .optional();
/** An amount in major units of the order's currency (`54.9` is 54.90 EUR), as events carry it. */
const amount = z.number().finite().nonnegative("must not be negative");
const maxFutureMs = 60 * 60 * 1000;
const instant = z
  .union([z.date(), z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" })])
  .transform((value) => (typeof value === "string" ? new Date(value) : value))
  .refine(
    (date) => date.getTime() <= Date.now() + maxFutureMs,
    "is more than 1 hour in the future",
  );

export const orderLineInput = z.object({
  productId: text(255),
  variantId: optionalText(255),
  sku: optionalText(255),
  title: optionalText(500),
  /** The unit price paid. */
  price: amount,
  quantity: z.number().int().min(1).max(1_000_000).default(1),
  imageUrl: httpUrl,
  url: httpUrl,
});

export const orderRefundInput = z.object({
  refundId: text(255),
  /** Left out or null: whatever is left of the total (a full refund). */
  amount: amount.nullable().optional(),
  refundedAt: instant.optional(),
  reason: optionalText(500),
});

/**
 * One order as `upsertOrders` takes it, named by the shop's `orderId`: a repeat of an order id
 * updates that order. `customer` names its contact (created if missing). Amounts are major units
 * of `currency` (default: the workspace's). `orderedAt` may lie in the past (a backfill);
 * `updatedAt` (default: now) orders writes, so an older copy never overwrites a newer one.
 * `lines`, when given, replace the stored lines; refunds are kept by `refundId`.
 */
export const orderInput = z.object({
  orderId: text(255),
  orderNumber: optionalText(255),
  customer: z
    .object({
      email: contactFields.email,
      externalId: contactFields.externalId,
      firstName: contactFields.firstName,
      lastName: contactFields.lastName,
    })
    .refine((customer) => Boolean(customer.email || customer.externalId), {
      message: "give an email or an externalId to name the customer",
      path: ["email"],
    }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .optional(),
  subtotal: amount.nullable().optional(),
  discount: amount.nullable().optional(),
  shipping: amount.nullable().optional(),
  tax: amount.nullable().optional(),
  total: amount,
  coupon: optionalText(255),
  cartId: optionalText(255),
  orderedAt: instant,
  updatedAt: instant.optional(),
  status: z.enum(settableOrderStatuses).optional(),
  tracking: z
    .object({ number: optionalText(255), url: httpUrl, carrier: optionalText(255) })
    .optional(),
  shippedAt: instant.nullable().optional(),
  cancelledAt: instant.nullable().optional(),
  lines: z.array(orderLineInput).max(500).optional(),
  refunds: z
    .array(orderRefundInput)
    .max(100)
    .superRefine((refunds, context) => {
      const seen = new Map<string, number>();
      refunds.forEach((refund, index) => {
        const earlier = seen.get(refund.refundId);
        if (earlier !== undefined) {
          context.addIssue({
            code: "custom",
            path: [index, "refundId"],
            message: `repeats refund ${earlier}`,
          });
        }
        seen.set(refund.refundId, index);
      });
    })
    .optional(),
  properties: z
    .record(z.string().min(1).max(100), z.json().optional())
    .refine((value) => JSON.stringify(value).length <= 16 * 1024, "is larger than 16 KB")
    .optional(),
});
export type OrderInput = z.output<typeof orderInput>;
