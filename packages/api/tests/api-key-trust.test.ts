import { decodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { pool } from "../src/db.ts";
import { makeOriginCheck } from "../src/domain/workspaces/allowed-origins.ts";
import {
  apiKeyTrustMs,
  makeApiKeyVerifier,
  verifyApiKey,
} from "../src/domain/workspaces/api-keys.ts";
import { createTestShop, shopOrigin } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;
let clock: { now: number };

beforeEach(async () => {
  shop = await createTestShop(api);
  clock = { now: Date.parse("2026-12-03T12:00:00Z") };
});

/** A revocation as another API process commits it: straight to the row, no eviction here. */
const revokeElsewhere = (keyId: string) =>
  pool().query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [keyId]);

async function makePublicKey() {
  const key = await shop.makeKey("PUBLIC");
  return { ...key, rowId: decodeGlobalID(key.id).id };
}

describe("API key trust", () => {
  it("stops trusting a key revoked elsewhere within apiKeyTrustMs, not before", async () => {
    const key = await makePublicKey();
    const verifier = makeApiKeyVerifier({ now: () => clock.now });
    expect(await verifier.verify(key.key)).toMatchObject({ keyId: key.rowId, keyKind: "PUBLIC" });

    await revokeElsewhere(key.rowId);
    clock.now += apiKeyTrustMs - 1;
    expect(await verifier.verify(key.key)).toMatchObject({ keyId: key.rowId });
    clock.now += 1;
    expect(await verifier.verify(key.key)).toBeNull();
  });

  it("never remembers an unknown or revoked key", async () => {
    const key = await makePublicKey();
    await revokeElsewhere(key.rowId);
    const verifier = makeApiKeyVerifier({ now: () => clock.now });
    expect(await verifier.verify(key.key)).toBeNull();
    await pool().query("UPDATE api_keys SET revoked_at = NULL WHERE id = $1", [key.rowId]);
    expect(await verifier.verify(key.key)).toMatchObject({ keyId: key.rowId });
  });

  it("forgets a key revoked in this process at once", async () => {
    const key = await makePublicKey();
    expect(await verifyApiKey(key.key)).toMatchObject({ keyId: key.rowId });
    await api.data(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
      { id: key.id },
      shop.secretKey,
    );
    expect(await verifyApiKey(key.key)).toBeNull();
  });

  it("reads a workspace's origins again after apiKeyTrustMs, or at once after forget", async () => {
    const check = makeOriginCheck({ now: () => clock.now });
    const newOrigin = "https://new-shop.example";
    expect(await check.allows(shop.id, shopOrigin)).toBe(true);
    await pool().query("UPDATE workspaces SET allowed_origins = $2 WHERE id = $1", [
      shop.id,
      [newOrigin],
    ]);
    clock.now += apiKeyTrustMs - 1;
    expect(await check.allows(shop.id, shopOrigin)).toBe(true);
    clock.now += 1;
    expect(await check.allows(shop.id, shopOrigin)).toBe(false);
    expect(await check.allows(shop.id, newOrigin)).toBe(true);

    await pool().query("UPDATE workspaces SET allowed_origins = '{}' WHERE id = $1", [shop.id]);
    check.forget(shop.id);
    expect(await check.allows(shop.id, newOrigin)).toBe(false);
  });
});
