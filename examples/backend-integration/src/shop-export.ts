import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import type { ContactInput, TrackEvent } from "./cartwheel-client.ts";

/** A customer as the shop exports it (snake_case, as most shop platforms write it). */
export interface ShopCustomer {
  id: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  /** An array, or one string with tags separated by `|`. */
  tags?: string[] | string;
  /** true/false, or "yes"/"no"/"true"/"false" in a CSV; left out = consent unknown. */
  accepts_marketing?: boolean | string;
}

/** One line of an order, as in Segment's e-commerce spec. */
export interface ShopOrderProduct {
  product_id: string;
  sku?: string;
  name: string;
  price: number;
  quantity: number;
  category?: string;
}

/** A completed order as the shop exports it. */
export interface ShopOrder {
  id: string;
  customer_id: string;
  total: number;
  currency: string;
  /** ISO 8601. */
  completed_at: string;
  products: ShopOrderProduct[];
}

/** Reads customers from a `.json` file (an array) or a `.csv` file with a header row. */
export async function readCustomers(path: string): Promise<ShopCustomer[]> {
  const text = await readFile(path, "utf8");
  if (path.endsWith(".csv")) return parseCustomersCsv(text);
  const json: unknown = JSON.parse(text);
  if (!Array.isArray(json)) throw new Error(`${path}: expected a JSON array of customers`);
  return json as ShopCustomer[];
}

/** Reads orders from a `.json` file (an array of `ShopOrder`). */
export async function readOrders(path: string): Promise<ShopOrder[]> {
  const json: unknown = JSON.parse(await readFile(path, "utf8"));
  if (!Array.isArray(json)) throw new Error(`${path}: expected a JSON array of orders`);
  return json as ShopOrder[];
}

/**
 * Parses a customers CSV: columns `id,email,first_name,last_name,phone,tags,accepts_marketing`
 * (any order; only `id` is required), tags separated by `|`.
 *
 * @example parseCustomersCsv("id,email\nc1,ann@example.com") // [{ id: "c1", email: "ann@example.com" }]
 */
export function parseCustomersCsv(text: string): ShopCustomer[] {
  const records = parse(text, {
    columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  return records.map((record) => {
    const customer: ShopCustomer = { id: record.id ?? "" };
    for (const key of ["email", "first_name", "last_name", "phone", "tags"] as const) {
      if (record[key]) customer[key] = record[key];
    }
    if (record.accepts_marketing) customer.accepts_marketing = record.accepts_marketing;
    return customer;
  });
}

/**
 * The Cartwheel contact for a customer: the shop's id is the contact's `externalId`, so a
 * changed email updates the same contact. `accepts_marketing` sets consent when given.
 */
export function toContactInput(customer: ShopCustomer): ContactInput {
  const tags =
    typeof customer.tags === "string"
      ? customer.tags
          .split("|")
          .map((tag) => tag.trim())
          .filter(Boolean)
      : customer.tags;
  const accepts = parseYesNo(customer.accepts_marketing);
  return {
    externalId: customer.id,
    ...(customer.email !== undefined && { email: customer.email }),
    ...(customer.first_name !== undefined && { firstName: customer.first_name }),
    ...(customer.last_name !== undefined && { lastName: customer.last_name }),
    ...(customer.phone !== undefined && { phone: customer.phone }),
    ...(tags?.length && { tags }),
    ...(accepts !== undefined && {
      consent: { status: accepts ? "SUBSCRIBED" : "UNSUBSCRIBED", source: "shop customer sync" },
    }),
  };
}

/**
 * The server-side `Order Completed` event for an order (Segment e-commerce spec). Its
 * `messageId` is derived from the order id, so sending it again is a no-op.
 */
export function toOrderCompletedEvent(order: ShopOrder): TrackEvent {
  return {
    messageId: `order-completed:${order.id}`,
    event: "Order Completed",
    userId: order.customer_id,
    timestamp: isoDateTime(order.completed_at) ?? order.completed_at,
    properties: {
      order_id: order.id,
      total: order.total,
      currency: order.currency,
      products: order.products,
    },
  };
}

/** The value as UTC ISO 8601, or undefined when it is not a date-time. */
export function isoDateTime(value: string): string | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function parseYesNo(value: boolean | string | undefined): boolean | undefined {
  if (typeof value === "boolean") return value;
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === "") return undefined;
  if (["yes", "y", "true", "1"].includes(text)) return true;
  if (["no", "n", "false", "0"].includes(text)) return false;
  return undefined;
}
