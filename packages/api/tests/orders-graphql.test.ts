import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestWorkspace>>;
let other: Awaited<ReturnType<typeof createTestWorkspace>>;
beforeEach(async () => {
  shop = await createTestWorkspace(api);
  other = await createTestWorkspace(api);
});

const upsert = `mutation($input: UpsertOrdersInput!) {
  upsertOrders(input: $input) {
    __typename
    ... on MutationUpsertOrdersSuccess { result { createdCount updatedCount rows { index id orderId contactId created } } }
    ... on InvalidInputError { message problems { path message } }
    ... on ForbiddenError { message }
  }
}`;
const orderFields = `id orderId orderNumber status currency
  total { minorUnits amount } refunded { amount } netTotal { amount }
  orderedAt contact { email }
  tracking { number carrier }
  lines { productId quantity price { amount } lineTotal { amount } product { title stub price { amount } } }
  refunds { refundId amount { amount } }`;

const backfill = (count: number, email = "ada@example.com") =>
  Array.from({ length: count }, (_, index) => ({
    orderId: `B-${index}`,
    customer: { email, firstName: "Ada" },
    currency: "EUR",
    total: 20 + index,
    orderedAt: new Date(Date.UTC(2025, 0, 1 + index)).toISOString(),
    lines: [
      { productId: "mug", title: "Mug", price: 10, quantity: 2 },
      { productId: `extra-${index % 3}`, price: index, quantity: 1 },
    ],
  }));

async function orders(
  key: string,
  filter: Record<string, unknown> = {},
  first = 50,
  after?: string,
) {
  const { orders } = await api.data(
    `query($filter: OrderFilter, $first: Int, $after: String) {
      orders(filter: $filter, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { orderId status } }
      }
    }`,
    { filter, first, after },
    key,
  );
  return orders;
}
const orderIds = (connection: { edges: { node: { orderId: string } }[] }) =>
  connection.edges.map((edge) => edge.node.orderId);

describe("orders over GraphQL", () => {
  it("takes orders from the backend, with lines, refunds, tracking and the catalog's products", async () => {
    await api.data(
      `mutation { upsertProducts(input: { products: [{ productId: "mug", title: "Mug (catalog)", price: 12 }] }) { __typename } }`,
      {},
      shop.secretKey,
    );
    const { upsertOrders } = await api.data(
      upsert,
      {
        input: {
          orders: [
            {
              ...backfill(1)[0],
              orderNumber: "#B-0",
              status: "SHIPPED",
              tracking: { number: "1Z", carrier: "UPS" },
              refunds: [{ refundId: "r1", amount: 4.5 }],
            },
          ],
        },
      },
      shop.secretKey,
    );
    expect(upsertOrders.result).toMatchObject({ createdCount: 1, updatedCount: 0 });
    const { order } = await api.data(
      `query($id: ID!) { order(id: $id) { ${orderFields} } }`,
      { id: upsertOrders.result.rows[0].id },
      shop.secretKey,
    );
    expect(order).toMatchObject({
      orderId: "B-0",
      orderNumber: "#B-0",
      // The refund is as recent as the status it came with: it shows.
      status: "PARTIALLY_REFUNDED",
      currency: "EUR",
      total: { minorUnits: 2000, amount: "20.00" },
      refunded: { amount: "4.50" },
      netTotal: { amount: "15.50" },
      orderedAt: "2025-01-01T00:00:00.000Z",
      contact: { email: "ada@example.com" },
      tracking: { number: "1Z", carrier: "UPS" },
      lines: [
        {
          productId: "mug",
          quantity: 2,
          price: { amount: "10.00" },
          lineTotal: { amount: "20.00" },
          product: { title: "Mug (catalog)", stub: false, price: { amount: "12.00" } },
        },
        { productId: "extra-0", quantity: 1, price: { amount: "0.00" }, product: null },
      ],
      refunds: [{ refundId: "r1", amount: { amount: "4.50" } }],
    });
    const refused = await api.data(
      upsert,
      {
        input: {
          orders: [{ orderId: "x", customer: {}, total: 1, orderedAt: "2025-01-01T00:00:00Z" }],
        },
      },
      shop.secretKey,
    );
    expect(refused.upsertOrders.problems).toEqual([
      {
        path: ["orders", "0", "customer", "email"],
        message: "give an email or an externalId to name the customer",
      },
    ]);
  });

  it("lists a contact's orders and filters and pages the workspace's orders, newest first", async () => {
    await api.data(upsert, { input: { orders: backfill(5) } }, shop.secretKey);
    const { upsertOrders } = await api.data(
      upsert,
      {
        input: {
          orders: [{ ...backfill(1, "bob@example.com")[0], orderId: "BOB", status: "CANCELLED" }],
        },
      },
      shop.secretKey,
    );
    const bobId = upsertOrders.result.rows[0].contactId;
    const { contact } = await api.data(
      `query($id: ID!) { contact(id: $id) { email orders(first: 10) { totalCount edges { node { orderId } } } } }`,
      { id: bobId },
      shop.secretKey,
    );
    expect(contact).toEqual({
      email: "bob@example.com",
      orders: { totalCount: 1, edges: [{ node: { orderId: "BOB" } }] },
    });
    expect(orderIds(await orders(shop.secretKey, { status: ["CANCELLED"] }))).toEqual(["BOB"]);
    expect(orderIds(await orders(shop.secretKey, { contactId: bobId }))).toEqual(["BOB"]);
    expect(
      orderIds(
        await orders(shop.secretKey, {
          orderedAt: { min: "2025-01-02T00:00:00Z", max: "2025-01-03T00:00:00Z" },
        }),
      ),
    ).toEqual(["B-2", "B-1"]);
    const first = await orders(shop.secretKey, { status: ["PLACED"] }, 3);
    const second = await orders(
      shop.secretKey,
      { status: ["PLACED"] },
      3,
      first.pageInfo.endCursor,
    );
    expect(first.totalCount).toBe(5);
    expect([...orderIds(first), ...orderIds(second)]).toEqual(["B-4", "B-3", "B-2", "B-1", "B-0"]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses writes with a public key or a key without orders:write", async () => {
    const readOnly = await shop.makeKey("SECRET", ["ORDERS_READ"]);
    for (const key of [shop.publicKey, readOnly.key]) {
      const { upsertOrders } = await api.data(upsert, { input: { orders: backfill(1) } }, key);
      expect(upsertOrders.__typename).toBe("ForbiddenError");
    }
    const read = await api.request(`{ orders { totalCount } }`, {}, shop.publicKey);
    expect(read.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await orders(readOnly.key)).totalCount).toBe(0);
  });

  it("never shows or changes one workspace's orders to another's key", async () => {
    const { upsertOrders } = await api.data(
      upsert,
      { input: { orders: backfill(1) } },
      shop.secretKey,
    );
    const orderId = upsertOrders.result.rows[0].id;
    const seen = await api.data(
      `query($id: ID!) { order(id: $id) { id } node(id: $id) { id } orderByShopId(orderId: "B-0") { id } orders { totalCount } }`,
      { id: orderId },
      other.secretKey,
    );
    expect(seen).toEqual({
      order: null,
      node: null,
      orderByShopId: null,
      orders: { totalCount: 0 },
    });
    const theirs = await api.data(
      upsert,
      { input: { orders: [{ ...backfill(1)[0], total: 999 }] } },
      other.secretKey,
    );
    expect(theirs.upsertOrders.result.rows[0].created).toBe(true);
    const { order } = await api.data(
      `query($id: ID!) { order(id: $id) { total { amount } contact { id } } }`,
      { id: orderId },
      shop.secretKey,
    );
    expect(order.total).toEqual({ amount: "20.00" });
    expect(order.contact.id).toBe(upsertOrders.result.rows[0].contactId);
  });
});

describe("no N+1 queries for orders", () => {
  const originalQuery = pg.Client.prototype.query;
  let recorded: string[] | undefined;
  beforeEach(() => {
    pg.Client.prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      const text = typeof config === "string" ? config : config?.text;
      if (recorded && text && !/^(BEGIN|COMMIT|ROLLBACK)/.test(text)) recorded.push(text);
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  });
  afterEach(() => {
    pg.Client.prototype.query = originalQuery;
  });

  it("lists orders with lines and their products in as many queries for 2 orders as for 20", async () => {
    const listing = `{ orders(first: 50) { totalCount edges { node { ${orderFields} } } } }`;
    const count = async () => {
      recorded = [];
      await api.data(listing, {}, shop.secretKey);
      const issued = recorded.filter((text) => !text.includes("api_keys"));
      recorded = undefined;
      return issued.length;
    };
    await api.data(upsert, { input: { orders: backfill(2) } }, shop.secretKey);
    const few = await count();
    await api.data(upsert, { input: { orders: backfill(20).slice(2) } }, shop.secretKey);
    expect(await count()).toBe(few);
    // Prisma loads each relation level in a statement of its own (orders, lines and their
    // order's currency, refunds and theirs, contacts), then the count and one products lookup.
    expect(few).toBeLessThanOrEqual(8);
  });
});
