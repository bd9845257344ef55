import { reactToEvent } from "@cartwheel/api/domain";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CartwheelRequestError, makeCartwheelClient } from "../src/cartwheel-client.ts";
import type { ShopCustomer, ShopOrder } from "../src/shop-export.ts";
import { formatReport, hasProblems, runSync } from "../src/sync.ts";
import { startApi } from "./api-server.ts";
import { startFaultyProxy } from "./faulty-proxy.ts";

let server: Awaited<ReturnType<typeof startApi>>;
let database: pg.Client;

beforeAll(async () => {
  server = await startApi();
  database = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await database.connect();
});

afterAll(async () => {
  await database?.end();
  await server?.close();
});

const day = 24 * 60 * 60 * 1000;

function customers(count: number, prefix = "cus"): ShopCustomer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}_${i + 1}`,
    email: `${prefix}.${i + 1}@example.com`,
    first_name: `First${i + 1}`,
    last_name: "Shopper",
    tags: i % 2 === 0 ? "newsletter" : "vip|newsletter",
    ...(i % 3 === 0 && { accepts_marketing: "yes" }),
  }));
}

function order(id: string, customerId: string, total: number, daysAgo = 2): ShopOrder {
  return {
    id,
    customer_id: customerId,
    total,
    currency: "EUR",
    completed_at: new Date(Date.now() - daysAgo * day).toISOString(),
    products: [{ product_id: "linen-shirt", name: "Linen shirt", price: total, quantity: 1 }],
  };
}

async function newClient() {
  const shop = await server.newShop();
  return { shop, client: makeCartwheelClient({ apiUrl: server.url, secretKey: shop.secretKey }) };
}

/** Every contact of the key's workspace as GraphQL returns it, ordered by email. */
async function contactsOf(secretKey: string) {
  const { contacts } = await server.api.data(
    `{ contacts(first: 100, orderBy: { field: EMAIL }) {
        totalCount
        edges { node { id externalId email firstName lastName consent { status } tags { name } } }
      } }`,
    {},
    secretKey,
  );
  return {
    totalCount: contacts.totalCount as number,
    nodes: contacts.edges.map((edge: { node: unknown }) => edge.node),
  };
}

/** Order Completed events stored for the workspace, per message id. */
async function storedOrderEvents(workspaceGlobalId: string) {
  const workspaceId = Buffer.from(workspaceGlobalId, "base64").toString().split(":")[1];
  const { rows } = await database.query<{ message_id: string; external_id: string }>(
    `SELECT e.message_id, c.external_id FROM events e JOIN contacts c ON c.id = e.contact_id
      WHERE e.workspace_id = $1 AND e.name = 'Order Completed' ORDER BY e.message_id`,
    [workspaceId],
  );
  return rows;
}

describe("sync", () => {
  it("stores customers and their orders, and a second run changes nothing", async () => {
    const { shop, client } = await newClient();
    const input = {
      customers: customers(12),
      orders: [order("o1", "cus_1", 40), order("o2", "cus_1", 60), order("o3", "cus_2", 15)],
      customerBatchSize: 5,
    };

    const first = await runSync(client, input);
    expect(first.customers).toEqual({ created: 12, updated: 0, batches: 3, rejected: [] });
    expect(first.orders).toEqual({
      transport: "ingestEvents",
      accepted: 3,
      duplicates: 0,
      unsent: [],
    });
    const stored = await contactsOf(shop.secretKey);
    expect(stored.totalCount).toBe(12);
    expect(
      stored.nodes.find((node: { externalId: string }) => node.externalId === "cus_1"),
    ).toMatchObject({
      externalId: "cus_1",
      email: "cus.1@example.com",
      firstName: "First1",
      consent: { status: "SUBSCRIBED" },
      tags: [{ name: "newsletter" }],
    });

    const second = await runSync(client, input);
    expect(second.customers).toEqual({ created: 0, updated: 12, batches: 3, rejected: [] });
    expect(second.orders).toEqual({
      transport: "ingestEvents",
      accepted: 0,
      duplicates: 3,
      unsent: [],
    });
    expect(hasProblems(second)).toBe(false);
    expect(await contactsOf(shop.secretKey)).toEqual(stored);
    expect(await storedOrderEvents(shop.workspaceId)).toEqual([
      { message_id: "order-completed:o1", external_id: "cus_1" },
      { message_id: "order-completed:o2", external_id: "cus_1" },
      { message_id: "order-completed:o3", external_id: "cus_2" },
    ]);

    // What the worker's process_event does for each stored event: the order rows segments read.
    const { rows: events } = await database.query<{ id: string }>(
      "SELECT id::text FROM events WHERE workspace_id = $1 ORDER BY id",
      [Buffer.from(shop.workspaceId, "base64").toString().split(":")[1]],
    );
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) await reactToEvent(event.id);

    // The shop sells in EUR: sums of money count the orders in the workspace's currency.
    await server.api.data(
      `mutation { updateEmailSettings(input: { currency: "EUR" }) { __typename } }`,
      {},
      shop.secretKey,
    );
    // Segments see the orders once each: cus_1 spent 100 in 2 orders.
    const { previewSegment } = await server.api.data(
      `query($filter: SegmentFilterInput!) {
        previewSegment(filter: $filter) {
          __typename ... on QueryPreviewSegmentSuccess { data { count sample { externalId } } }
        } }`,
      {
        filter: {
          and: [
            { orders: { metric: "COUNT", op: "EQUALS", value: "2" } },
            { orders: { metric: "TOTAL_SPENT", op: "EQUALS", value: "100" } },
          ],
        },
      },
      shop.secretKey,
    );
    expect(previewSegment.data).toEqual({ count: 1, sample: [{ externalId: "cus_1" }] });
  });

  it("sends the same events over POST /v1/batch, and either route dedupes the other's", async () => {
    const { shop, client } = await newClient();
    const input = { customers: customers(2), orders: [order("o1", "cus_1", 10)] };
    const viaHttp = await runSync(client, { ...input, transport: "/v1/batch" });
    expect(viaHttp.orders).toEqual({
      transport: "/v1/batch",
      accepted: 1,
      duplicates: 0,
      unsent: [],
    });
    const viaGraphql = await runSync(client, { ...input, transport: "ingestEvents" });
    expect(viaGraphql.orders).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await storedOrderEvents(shop.workspaceId)).toHaveLength(1);
  });

  it("reports refused rows, stores the others and holds back their orders", async () => {
    const { shop, client } = await newClient();
    const rows = customers(6);
    rows[2] = { ...rows[2]!, email: "not-an-email" };
    rows[4] = { ...rows[4]!, email: rows[0]!.email };
    const orders = [order("o1", "cus_1", 10), order("o3", "cus_3", 30)];

    const report = await runSync(client, { customers: rows, orders });
    expect(report.customers).toEqual({
      created: 4,
      updated: 0,
      batches: 1,
      rejected: [
        {
          position: 3,
          customerId: "cus_3",
          problems: [{ field: "email", message: "is not a valid email address" }],
        },
        {
          position: 5,
          customerId: "cus_5",
          problems: [{ field: "email", message: "repeats row 0" }],
        },
      ],
    });
    expect(report.orders).toMatchObject({
      accepted: 1,
      unsent: [{ orderId: "o3", code: "customer_rejected" }],
    });
    expect(formatReport(report)).toContain(
      "row 3 (customer cus_3): email is not a valid email address",
    );
    expect(hasProblems(report)).toBe(true);
    const stored = await contactsOf(shop.secretKey);
    expect(stored.nodes.map((node: { externalId: string }) => node.externalId).sort()).toEqual([
      "cus_1",
      "cus_2",
      "cus_4",
      "cus_6",
    ]);

    rows[2] = { ...rows[2]!, email: "cus.3@example.com" };
    rows[4] = { ...rows[4]!, email: "cus.5@example.com" };
    const fixed = await runSync(client, { customers: rows, orders });
    expect(fixed.customers).toMatchObject({ created: 2, updated: 4, rejected: [] });
    expect(fixed.orders).toMatchObject({ accepted: 1, duplicates: 1, unsent: [] });
    expect((await contactsOf(shop.secretKey)).totalCount).toBe(6);
  });

  it("in strict mode stops at the first refused batch, keeping the batches before it", async () => {
    const { shop, client } = await newClient();
    const rows = customers(10);
    rows[5] = { ...rows[5]!, phone: "call me" };
    const report = await runSync(client, {
      customers: rows,
      orders: [order("o1", "cus_1", 10)],
      onInvalidRows: "stop",
      customerBatchSize: 4,
    });
    expect(report.customers).toMatchObject({
      created: 4,
      batches: 1,
      rejected: [{ position: 6, customerId: "cus_6", problems: [{ field: "phone" }] }],
      stoppedAt: { position: 5 },
    });
    expect(report.orders).toBeUndefined();
    expect((await contactsOf(shop.secretKey)).totalCount).toBe(4);
    expect(await storedOrderEvents(shop.workspaceId)).toEqual([]);
  });

  it("backfills old orders, reports those Cartwheel refuses or that have no valid date, and sends the rest", async () => {
    const { client } = await newClient();
    const report = await runSync(client, {
      customers: customers(1),
      orders: [
        order("backfilled", "cus_1", 10, 40),
        order("ancient", "cus_1", 10, 4000),
        { ...order("bad-date", "cus_1", 10), completed_at: "yesterday" },
        order("ok", "cus_1", 10),
      ],
    });
    expect(report.orders).toMatchObject({
      accepted: 2,
      unsent: [
        { orderId: "bad-date", code: "invalid_timestamp" },
        { orderId: "ancient", code: "timestamp_too_old" },
      ],
    });
  });

  it("retries dropped connections and 5xx answers, then gives up with a clear error", async () => {
    const { shop } = await newClient();
    const proxy = await startFaultyProxy(server.url, (n) =>
      n === 1 ? "503" : n === 2 ? "drop" : null,
    );
    const retries: string[] = [];
    const client = makeCartwheelClient({
      apiUrl: proxy.url,
      secretKey: shop.secretKey,
      retryDelayMs: 5,
      onRetry: ({ reason }) => retries.push(reason),
    });
    const report = await runSync(client, {
      customers: customers(3),
      orders: [order("o1", "cus_1", 5)],
    });
    expect(report.customers.created).toBe(3);
    expect(report.orders?.accepted).toBe(1);
    expect(retries).toEqual(["HTTP 503", expect.stringContaining("fetch failed")]);
    await proxy.close();

    const down = await startFaultyProxy(server.url, () => "503");
    const failing = makeCartwheelClient({
      apiUrl: down.url,
      secretKey: shop.secretKey,
      retries: 2,
      retryDelayMs: 1,
    });
    await expect(failing.importContacts([{ email: "x@example.com" }])).rejects.toThrow(
      new CartwheelRequestError("/graphql: HTTP 503 (gave up after 3 tries)"),
    );
    expect(down.requests()).toBe(3);
    await down.close();
  });

  it("stops with the typed error when the key lacks the contacts:write scope", async () => {
    const { shop } = await newClient();
    const eventsOnly = await shop.makeKey("SECRET", ["EVENTS_WRITE"]);
    const client = makeCartwheelClient({ apiUrl: server.url, secretKey: eventsOnly.key });
    const report = await runSync(client, { customers: customers(2), orders: [] });
    expect(report.customers.stoppedAt?.reason).toMatch(/^ForbiddenError: /);
    expect((await contactsOf(shop.secretKey)).totalCount).toBe(0);
  });
});
