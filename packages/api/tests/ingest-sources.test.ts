import { beforeEach, describe, expect, it } from "vitest";
import { createTestShop, postBatch, shopOrigin, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;

beforeEach(async () => {
  shop = await createTestShop(api);
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe("where events come from", () => {
  it("lets a secret key backfill old orders that a browser's public key may not send", async () => {
    const oldOrder = () =>
      wireEvent({ event: "Order Completed", userId: "ada@example.com", timestamp: daysAgo(400) });
    const fromServer = await postBatch(api.app, {
      bearer: shop.secretKey,
      batch: [oldOrder()],
      origin: null,
    });
    expect(fromServer.body).toMatchObject({ accepted: 1, rejected: [] });

    const fromBrowser = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [oldOrder()],
      origin: shopOrigin,
    });
    expect(fromBrowser.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: "timestamp_too_old" }),
    ]);
  });

  it("reserves the messageId prefix of Cartwheel's own events", async () => {
    const response = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [wireEvent({ messageId: "cartwheel:open:forged" }), wireEvent()],
      origin: shopOrigin,
    });
    expect(response.body.accepted).toBe(1);
    expect(response.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: "invalid_event" }),
    ]);
  });

  it("refuses only the event with a malformed timestamp in ingestEvents", async () => {
    const { ingestEvents } = await api.data(
      `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) {
        ... on MutationIngestEventsSuccess { result { accepted rejected { index code message } } } } }`,
      {
        input: {
          events: [
            { ...wireEvent({ timestamp: "yesterday-ish" }), type: "TRACK" },
            { ...wireEvent(), type: "TRACK" },
          ],
        },
      },
      shop.secretKey,
    );
    expect(ingestEvents.result.accepted).toBe(1);
    expect(ingestEvents.result.rejected).toEqual([
      { index: 0, code: "invalid_event", message: "timestamp: must be an ISO 8601 date-time" },
    ]);
  });

  it("shows keys through node(id) only to keys that manage keys", async () => {
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const query = `query($id: ID!) { node(id: $id) { id } }`;
    const denied = await api.request(query, { id: reader.id }, reader.key);
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const allowed = await api.data(query, { id: reader.id }, shop.secretKey);
    expect(allowed.node).toEqual({ id: reader.id });
  });
});
