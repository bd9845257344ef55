import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, describe, expect, it } from "vitest";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { liveScenario, track } from "./scenario-fixtures.ts";
import { createTestShop, postBatch, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { subscribe } from "./support/subscriptions.ts";

// Two apps, each with its own change feed, stand for two API processes: what one writes (or
// the worker, or a direct domain call) reaches the other's subscribers only through Postgres.
const subscriberProcess = makeTestApi();
const writerProcess = makeTestApi();
afterAll(() => Promise.all([subscriberProcess.app.close(), writerProcess.app.close()]));

const contactEvents = `subscription($id: ID!, $after: ID) { contactEvents(contactId: $id, afterEventId: $after) { name properties } }`;

describe("GraphQL subscriptions over SSE", () => {
  it("streams a contact's new events, written by another process, and only that contact's", async () => {
    const shop = await createTestShop(writerProcess);
    const { contact: ada } = await upsertContact(shop.id, { email: "ada@example.com" });
    await upsertContact(shop.id, { email: "bob@example.com" });
    await track(shop.id, "ada@example.com", new Date(), { name: "Before Subscribing" });
    const { node } = await writerProcess.data(
      `query($id: ID!) { node(id: $id) { ... on Contact { events(first: 1) { edges { node { id name } } } } } }`,
      { id: encodeGlobalID("Contact", ada.id) },
      shop.secretKey,
    );
    const seen = node.events.edges[0].node;
    expect(seen.name).toBe("Before Subscribing");

    // Resuming after the last event it has, the client misses nothing written meanwhile.
    const live = await subscribe(
      subscriberProcess,
      contactEvents,
      { id: encodeGlobalID("Contact", ada.id), after: seen.id },
      shop.secretKey,
    );
    expect(live.status).toBe(200);
    try {
      const ingest = (userId: string, event: string, properties = {}) =>
        postBatch(writerProcess.app, {
          writeKey: shop.secretKey,
          batch: [wireEvent({ type: "track", event, userId, properties, anonymousId: undefined })],
        });
      await ingest("bob@example.com", "Not Ada's");
      await ingest("ada@example.com", "Product Viewed", { sku: "mug" });
      expect((await live.next()).data?.contactEvents).toEqual({
        name: "Product Viewed",
        properties: { sku: "mug" },
      });
      await ingest("ada@example.com", "Cart Viewed");
      expect((await live.next()).data?.contactEvents.name).toBe("Cart Viewed");
    } finally {
      await live.close();
    }
  });

  it("refuses a key without the scope, and another workspace's contact", async () => {
    const shop = await createTestShop(writerProcess);
    const other = await createTestShop(writerProcess);
    const { contact } = await upsertContact(shop.id, { email: "ada@example.com" });
    const id = encodeGlobalID("Contact", contact.id);
    const blind = (await shop.makeKey("SECRET", ["CONTACTS_READ"])).key;
    const refused = await subscribe(subscriberProcess, contactEvents, { id }, blind);
    const denial = await refused.next();
    expect(denial.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await refused.close();

    const stranger = await subscribe(subscriberProcess, contactEvents, { id }, other.secretKey);
    const notFound = await stranger.next();
    expect(notFound.errors?.[0]?.message).toMatch(/Contact .* was not found/);
    await stranger.close();
  });

  it("updates today's KPIs when an order lands through another process", async () => {
    const shop = await createTestShop(writerProcess);
    const live = await subscribe(
      subscriberProcess,
      `subscription { todayKpis { total { orders revenue { amount } } } }`,
      {},
      shop.secretKey,
    );
    try {
      expect((await live.next()).data?.todayKpis.total).toEqual({
        orders: 0,
        revenue: { amount: "0.00" },
      });
      await writerProcess.data(
        `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
        {
          input: {
            orders: [
              {
                orderId: "LIVE-1",
                customer: { email: "ada@example.com" },
                total: 42,
                orderedAt: new Date().toISOString(),
              },
            ],
          },
        },
        shop.secretKey,
      );
      expect((await live.next()).data?.todayKpis.total).toEqual({
        orders: 1,
        revenue: { amount: "42.00" },
      });
    } finally {
      await live.close();
    }
  });

  it("sends a scenario's node counts again when a run moves", async () => {
    const shop = await createTestShop(writerProcess);
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "api" },
      start: "tag",
      nodes: [{ id: "tag", kind: "adjust_score", delta: 5, reason: "entered" }],
    });
    const { contact } = await upsertContact(shop.id, { email: "ada@example.com" });
    const live = await subscribe(
      subscriberProcess,
      `subscription($id: ID!) { scenarioNodeStats(scenarioId: $id) { nodeId entered } }`,
      { id: encodeGlobalID("Scenario", scenario.id) },
      shop.secretKey,
    );
    try {
      expect((await live.next()).data?.scenarioNodeStats).toEqual([{ nodeId: "tag", entered: 0 }]);
      await writerProcess.data(
        `mutation($id: ID!, $contact: ID!) { startScenario(input: { scenarioId: $id, contactId: $contact }) { __typename } }`,
        {
          id: encodeGlobalID("Scenario", scenario.id),
          contact: encodeGlobalID("Contact", contact.id),
        },
        shop.secretKey,
      );
      expect((await live.next()).data?.scenarioNodeStats).toEqual([{ nodeId: "tag", entered: 1 }]);
    } finally {
      await live.close();
    }
  });
});
