import { defined, readCells } from "../cells.ts";
import type { CsvRow, FieldProblem, ImportKind, Mapped } from "../import-kind.ts";
import { csvFieldName, jsonObject, stringField } from "./field-names.ts";

const statuses = ["PLACED", "PAID", "FULFILLED", "SHIPPED", "CANCELLED"] as const;

const orderColumns = [
  "order_id",
  "order_number",
  "customer_id",
  "email",
  "first_name",
  "last_name",
  "currency",
  "subtotal",
  "discount",
  "shipping",
  "tax",
  "total",
  "coupon",
  "cart_id",
  "ordered_at",
  "updated_at",
  "status",
  "shipped_at",
  "cancelled_at",
  "tracking_number",
  "tracking_url",
  "carrier",
] as const;
const lineColumns = [
  "product_id",
  "variant_id",
  "sku",
  "title",
  "price",
  "quantity",
  "image_url",
  "url",
] as const;

const columnOf: Record<string, string> = {
  orderId: "order_id",
  orderNumber: "order_number",
  "customer.externalId": "customer_id",
  "customer.email": "email",
  "customer.firstName": "first_name",
  "customer.lastName": "last_name",
  cartId: "cart_id",
  orderedAt: "ordered_at",
  updatedAt: "updated_at",
  shippedAt: "shipped_at",
  cancelledAt: "cancelled_at",
  "tracking.number": "tracking_number",
  "tracking.url": "tracking_url",
  "tracking.carrier": "carrier",
};
const lineColumnOf: Record<string, string> = {
  productId: "product_id",
  variantId: "variant_id",
  imageUrl: "image_url",
};

/** The order's fields from its first CSV row. */
function orderFields(row: CsvRow) {
  const cells = readCells(row.cells);
  const tracking = defined({
    number: cells.text("tracking_number"),
    url: cells.text("tracking_url"),
    carrier: cells.text("carrier"),
  });
  const input = defined({
    orderId: cells.text("order_id"),
    orderNumber: cells.text("order_number"),
    customer: defined({
      externalId: cells.text("customer_id"),
      email: cells.text("email"),
      firstName: cells.text("first_name"),
      lastName: cells.text("last_name"),
    }),
    currency: cells.text("currency")?.toUpperCase(),
    subtotal: cells.decimal("subtotal"),
    discount: cells.decimal("discount"),
    shipping: cells.decimal("shipping"),
    tax: cells.decimal("tax"),
    total: cells.decimal("total"),
    coupon: cells.text("coupon"),
    cartId: cells.text("cart_id"),
    orderedAt: cells.dateTime("ordered_at"),
    updatedAt: cells.dateTime("updated_at"),
    status: cells.oneOf("status", statuses),
    shippedAt: cells.dateTime("shipped_at"),
    cancelledAt: cells.dateTime("cancelled_at"),
    tracking: Object.keys(tracking).length > 0 ? tracking : undefined,
    properties: cells.properties(),
  });
  return { input, problems: cells.problems };
}

function orderLine(row: CsvRow) {
  const cells = readCells(row.cells);
  const line = defined({
    productId: cells.text("product_id"),
    variantId: cells.text("variant_id"),
    sku: cells.text("sku"),
    title: cells.text("title"),
    price: cells.decimal("price"),
    quantity: cells.integer("quantity"),
    imageUrl: cells.text("image_url"),
    url: cells.text("url"),
  });
  return { line, problems: cells.problems };
}

/**
 * Orders, sent to `upsertOrders` (scope `orders:write`). In CSV each row is one order line and
 * an order's rows are adjacent, sharing its `order_id`; the order's own columns are read from
 * its first row (later rows leave them empty or repeat them). A row without `product_id` is an
 * order without lines. NDJSON lines are `OrderInput` objects with their `lines` and `refunds`.
 */
export const orders: ImportKind = {
  name: "orders",
  scope: "orders:write",
  mutationName: "upsertOrders",
  mutation: `mutation ImportOrders($rows: [OrderInput!]!) {
    upsertOrders(input: { orders: $rows }) {
      __typename
      ... on MutationUpsertOrdersSuccess { result { createdCount updatedCount } }
      ... on InvalidInputError { problems { path message } }
      ... on Error { message }
    }
  }`,
  rowsField: "orders",
  maxBatch: 1000,
  csvColumns: [...orderColumns, ...lineColumns],
  csvRequired: ["order_id"],
  csvProperties: true,
  csvGroupBy: "order_id",
  fromCsv(rows): Mapped {
    const [first] = rows;
    const id = first?.cells.order_id?.trim() || null;
    if (!first || id === null) {
      return { problems: [{ field: "order_id", message: "is required" }], id };
    }
    const order = orderFields(first);
    const problems: FieldProblem[] = [...order.problems];
    const lines: Record<string, unknown>[] = [];
    for (const row of rows) {
      for (const column of orderColumns) {
        const value = row.cells[column]?.trim() ?? "";
        const expected = first.cells[column]?.trim() ?? "";
        if (value !== "" && value !== expected) {
          problems.push({
            field: column,
            message: `differs from the order's first row (line ${first.line})`,
            line: row.line,
          });
        }
      }
      const hasLine = lineColumns.some((column) => (row.cells[column]?.trim() ?? "") !== "");
      if (!hasLine) {
        if (rows.length > 1) {
          problems.push({ field: "product_id", message: "is required", line: row.line });
        }
        continue;
      }
      const line = orderLine(row);
      problems.push(...line.problems.map((problem) => ({ ...problem, line: row.line })));
      lines.push(line.line);
    }
    if (problems.length > 0) return { problems, id };
    return { input: { ...order.input, ...(lines.length > 0 && { lines }) }, id };
  },
  fromJson(value): Mapped {
    const object = jsonObject(value);
    if (!object) return { problems: [{ field: "", message: "must be a JSON object" }], id: null };
    const id = stringField(object, "orderId");
    if (id === null) return { problems: [{ field: "orderId", message: "is required" }], id };
    return { input: object, id };
  },
  uniqueKeys: (input) => [`order ${String(input.orderId)}`],
  fieldName(path, format) {
    if (format === "ndjson") return path.join(".");
    const [first, index, ...rest] = path;
    if (first === "lines" && index !== undefined) {
      return `${csvFieldName(rest, lineColumnOf)} (order row ${Number(index) + 1})`;
    }
    return columnOf[path.join(".")] ?? csvFieldName(path, columnOf);
  },
};
