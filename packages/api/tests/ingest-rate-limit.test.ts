import { expect, it } from "vitest";
import { db } from "../src/db.ts";
import { createTestShop, postBatch, shopOrigin, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

// Read once, when the first request needs the limiter: a bucket of 3, refilled once a minute.
process.env.CARTWHEEL_INGEST_RATE_PER_SECOND = String(1 / 60);
process.env.CARTWHEEL_INGEST_RATE_BURST = "3";

const api = makeTestApi();

it("answers 429 with Retry-After once a key has spent its burst, per key, on both paths", async () => {
  const shop = await createTestShop(api);
  for (let i = 0; i < 3; i++) {
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch: [wireEvent()] });
    expect(response.status).toBe(200);
  }
  const limited = await postBatch(api.app, { writeKey: shop.publicKey, batch: [wireEvent()] });
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe("rate_limited");
  const retryAfter = Number(limited.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(limited.headers.get("access-control-allow-origin")).toBe(shopOrigin);
  expect(await db().event.count({ where: { workspaceId: shop.id } })).toBe(3);

  const { ingestEvents } = await api.data(
    `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) {
      __typename ... on RateLimitedError { retryAfterSeconds } } }`,
    { input: { events: [{ ...wireEvent(), type: "TRACK" }] } },
    (await shop.makeKey("SECRET", ["EVENTS_WRITE"])).key,
  );
  expect(ingestEvents.__typename).toBe("MutationIngestEventsSuccess");

  // The secret key has a bucket of its own; the public key's is still empty.
  const secret = await postBatch(api.app, { bearer: shop.secretKey, batch: [wireEvent()] });
  expect(secret.status).toBe(200);
  const stillLimited = await postBatch(api.app, { writeKey: shop.publicKey, batch: [wireEvent()] });
  expect(stillLimited.status).toBe(429);
});
