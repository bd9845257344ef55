import { beforeEach, describe, expect, it } from "vitest";
import { db, pool } from "../src/db.ts";
import {
  createTestShop,
  postBatch,
  processEventJobs,
  shopOrigin,
  wireEvent,
} from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;

beforeEach(async () => {
  shop = await createTestShop(api);
});

const storedEvents = (workspaceId: string) =>
  db().event.findMany({ where: { workspaceId }, orderBy: { id: "asc" } });

describe("POST /v1/batch", () => {
  it("stores a text/plain batch with the key in the body and answers with CORS headers", async () => {
    const batch = [
      wireEvent({ type: "page", event: "Page Viewed", properties: { path: "/" } }),
      wireEvent({ event: "Added to Cart", properties: { sku: "tee", price: 25 } }),
    ];
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(response.headers.get("access-control-allow-origin")).toBe(shopOrigin);

    const events = await storedEvents(shop.id);
    expect(events.map((event) => [event.name, event.messageId, event.anonymousId])).toEqual([
      ["Page Viewed", batch[0]!.messageId, "anon-1"],
      ["Added to Cart", batch[1]!.messageId, "anon-1"],
    ]);
    expect(events[1]).toMatchObject({
      properties: { sku: "tee", price: 25 },
      occurredAt: new Date(batch[1]!.timestamp),
      contactId: null,
    });
    expect(events[1]!.context).toMatchObject({ type: "track", locale: "en-GB" });
  });

  it("takes types and standard event names in any casing, storing the spec's spelling", async () => {
    const batch = [
      wireEvent({ type: "TRACK", event: "order_completed", properties: { order_id: "o-1" } }),
      wireEvent({ type: "Page", event: undefined }),
      wireEvent({ event: "PRODUCT_ADDED", properties: { product_id: "p-1" } }),
      wireEvent({ event: "wishlist_synced" }),
    ];
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(response.body).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    const events = await storedEvents(shop.id);
    expect(events.map((event) => event.name)).toEqual([
      "Order Completed",
      "Page Viewed",
      "Product Added",
      "wishlist_synced",
    ]);
    expect(events[0]!.context).toMatchObject({ type: "track" });
  });

  it("accepts application/json too", async () => {
    const response = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [wireEvent()],
      contentType: "application/json",
    });
    expect(response.body.accepted).toBe(1);
  });

  it("rejects bad events one by one, with codes, and stores the good ones", async () => {
    const day = 24 * 60 * 60 * 1000;
    const batch = [
      wireEvent({ event: "Fine" }),
      { messageId: "no-type", event: "x" },
      wireEvent({ event: "x".repeat(201) }),
      wireEvent({ properties: { blob: "x".repeat(33 * 1024) } }),
      wireEvent({ timestamp: new Date(Date.now() - 31 * day).toISOString() }),
      wireEvent({ timestamp: new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString() }),
      wireEvent({ anonymousId: undefined }),
      wireEvent({ type: "identify", event: "Identify", userId: "not@an@email" }),
      wireEvent({ type: "identify", userId: "cust-9", traits: { phone: "call me" } }),
      wireEvent({ event: "Also Fine" }),
      "not an object",
    ];
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(2);
    expect(
      response.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code]),
    ).toEqual([
      [1, "invalid_event"],
      [2, "name_too_long"],
      [3, "properties_too_large"],
      [4, "timestamp_too_old"],
      [5, "timestamp_in_future"],
      [6, "missing_identity"],
      [7, "invalid_user_id"],
      [8, "invalid_traits"],
      [10, "invalid_event"],
    ]);
    expect(response.body.rejected[0]).toMatchObject({ messageId: "no-type" });
    expect(response.body.rejected[0].message).toMatch(/type/);
    expect((await storedEvents(shop.id)).map((event) => event.name)).toEqual(["Fine", "Also Fine"]);
  });

  it("refuses, one by one, events holding text Postgres cannot store; the rest are stored", async () => {
    const batch = [
      wireEvent({ type: "identify", userId: "cust-1", traits: { firstName: "A\u0000da" } }),
      wireEvent({ properties: { "k\u0000": 1 } }),
      wireEvent({ context: { page: { title: "\uD800" } } }),
      wireEvent({ event: "Fine" }),
    ];
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(response.status).toBe(200);
    expect(
      response.body.rejected.map((r: { index: number; message: string }) => [r.index, r.message]),
    ).toEqual([
      [0, "traits.firstName: contains a NUL character (\\u0000)"],
      [1, "properties.k\u0000: its key contains a NUL character (\\u0000)"],
      [2, "context.page.title: contains an unpaired UTF-16 surrogate, which is not Unicode"],
    ]);
    expect((await storedEvents(shop.id)).map((event) => event.name)).toEqual(["Fine"]);
  });

  it("stores a retried batch once and reports the repeats as duplicates", async () => {
    const batch = [wireEvent(), wireEvent(), wireEvent()];
    const first = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(first.body).toMatchObject({ accepted: 3, duplicates: 0 });
    const retry = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [...batch, wireEvent(), batch[0]],
    });
    expect(retry.body).toEqual({ accepted: 1, duplicates: 4, rejected: [] });
    expect(await storedEvents(shop.id)).toHaveLength(4);
    const { rows } = await pool().query(
      `SELECT count(*)::int AS jobs FROM ${processEventJobs} j
         JOIN events e ON j.event_id = e.id::text WHERE e.workspace_id = $1`,
      [shop.id],
    );
    expect(rows[0].jobs).toBe(4);
  });

  it("treats the same messageId in two workspaces as two events", async () => {
    const other = await createTestShop(api);
    const event = wireEvent();
    for (const key of [shop.publicKey, other.publicKey]) {
      const response = await postBatch(api.app, { writeKey: key, batch: [event] });
      expect(response.body.accepted).toBe(1);
    }
    expect(await storedEvents(shop.id)).toHaveLength(1);
    expect(await storedEvents(other.id)).toHaveLength(1);
  });

  it("answers 400 to a body that is not JSON or not a batch", async () => {
    const notJson = await postBatch(api.app, { body: "{ nope" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("invalid_json");
    const noBatch = await postBatch(api.app, {
      body: JSON.stringify({ writeKey: shop.publicKey }),
    });
    expect(noBatch.status).toBe(400);
    expect(noBatch.body.error).toMatchObject({ code: "invalid_body" });
    const tooMany = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: Array.from({ length: 101 }, () => wireEvent()),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/100/);
    expect(await storedEvents(shop.id)).toHaveLength(0);
  });

  it("answers 413 to a body over 500 KB", async () => {
    const batch = Array.from({ length: 20 }, () =>
      wireEvent({ properties: { blob: "x".repeat(30 * 1024) } }),
    );
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("body_too_large");
  });

  it("answers 401 to a missing, unknown or revoked key", async () => {
    const missing = await postBatch(api.app, { batch: [wireEvent()] });
    expect(missing.status).toBe(401);
    const unknown = await postBatch(api.app, { writeKey: "cw_pk_nope", batch: [wireEvent()] });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe("invalid_key");

    const revoked = await shop.makeKey("PUBLIC");
    expect((await postBatch(api.app, { writeKey: revoked.key, batch: [wireEvent()] })).status).toBe(
      200,
    );
    await api.data(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
      { id: revoked.id },
      shop.secretKey,
    );
    const after = await postBatch(api.app, { writeKey: revoked.key, batch: [wireEvent()] });
    expect(after.status).toBe(401);
    expect(await storedEvents(shop.id)).toHaveLength(1);
  });

  it("refuses a public key from an origin its workspace does not list, with no CORS grant", async () => {
    for (const origin of ["https://evil.example", null]) {
      const response = await postBatch(api.app, {
        writeKey: shop.publicKey,
        batch: [wireEvent()],
        origin,
      });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe("origin_not_allowed");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
    // Another workspace listing the origin does not make it allowed for this key.
    await createTestShop(api, ["https://evil.example"]);
    const elsewhere = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [wireEvent()],
      origin: "https://evil.example",
    });
    expect(elsewhere.status).toBe(403);
    expect(await storedEvents(shop.id)).toHaveLength(0);
  });

  it("follows updateWorkspace's allowedOrigins", async () => {
    const newOrigin = "https://new-shop.example";
    const before = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [wireEvent()],
      origin: newOrigin,
    });
    expect(before.status).toBe(403);
    await api.data(
      `mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { __typename } }`,
      { input: { allowedOrigins: [shopOrigin, newOrigin] } },
      shop.secretKey,
    );
    const after = await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [wireEvent()],
      origin: newOrigin,
    });
    expect(after.status).toBe(200);
  });

  it("answers the CORS preflight only for listed origins", async () => {
    const preflight = (origin: string) =>
      api.app.request("http://cartwheel.test/v1/batch", {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight(shopOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(shopOrigin);
    expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "content-type",
    );
    const refused = await preflight("https://unlisted.example");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets a secret key with events:write send from a server, without an origin", async () => {
    const server = await shop.makeKey("SECRET", ["EVENTS_WRITE"]);
    const order = wireEvent({
      event: "Order Completed",
      userId: "ada@example.com",
      anonymousId: undefined,
      properties: { orderId: "o-1", total: 50 },
    });
    const viaHeader = await postBatch(api.app, {
      bearer: server.key,
      batch: [order],
      origin: null,
    });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body.accepted).toBe(1);
    const viaBody = await postBatch(api.app, {
      writeKey: shop.secretKey,
      batch: [wireEvent({ anonymousId: "server-side" })],
      origin: "https://anywhere.example",
    });
    expect(viaBody.status).toBe(200);

    const [stored] = await storedEvents(shop.id);
    const contact = await db().contact.findFirstOrThrow({
      where: { workspaceId: shop.id, email: "ada@example.com" },
    });
    expect(stored).toMatchObject({ name: "Order Completed", contactId: contact.id });
  });

  it("answers 403 to a secret key without events:write", async () => {
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const response = await postBatch(api.app, { bearer: reader.key, batch: [wireEvent()] });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("missing_scope");
    expect(await storedEvents(shop.id)).toHaveLength(0);
  });
});
