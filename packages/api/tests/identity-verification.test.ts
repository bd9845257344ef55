import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { userHashOf } from "../src/domain/workspaces/identity-verification.ts";
import { createTestShop, postBatch, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;
let identitySecret: string;

beforeEach(async () => {
  shop = await createTestShop(api);
  const { workspace } = await api.data("{ workspace { identitySecret } }", {}, shop.secretKey);
  identitySecret = workspace.identitySecret;
});

const identify = (userId: string, traits: Record<string, unknown>, extra = {}) =>
  wireEvent({
    type: "identify",
    event: "Identify",
    anonymousId: `browser-${Math.random()}`,
    userId,
    traits,
    properties: {},
    ...extra,
  });

const contactByEmail = (email: string) =>
  db().contact.findFirst({ where: { workspaceId: shop.id, email } });

async function existingAda() {
  await api.data(
    `mutation { upsertContact(input: { email: "ada@example.com", firstName: "Ada", externalId: "cust-1", properties: { plan: "pro" } }) { __typename } }`,
    {},
    shop.secretKey,
  );
}

describe("browser identity verification", () => {
  it("refuses an unverified browser's attempt to rename an existing contact, but links its history", async () => {
    await existingAda();
    const attack = identify("ada@example.com", {
      firstName: "Mallory",
      plan: "free",
      phone: "+1555",
    });
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch: [attack] });
    expect(response.body).toMatchObject({ accepted: 1, rejected: [] });
    const ada = await contactByEmail("ada@example.com");
    expect(ada).toMatchObject({ firstName: "Ada", phone: null, properties: { plan: "pro" } });
    const stored = await db().event.findFirst({ where: { messageId: attack.messageId } });
    expect(stored?.contactId).toBe(ada?.id);
  });

  it("cannot steal an email through a new customer id either", async () => {
    await existingAda();
    const attack = identify("cust-evil", { email: "ada@example.com", firstName: "Mallory" });
    await postBatch(api.app, { writeKey: shop.publicKey, batch: [attack] });
    expect(await contactByEmail("ada@example.com")).toMatchObject({
      firstName: "Ada",
      externalId: "cust-1",
    });
    const created = await db().contact.findFirst({
      where: { workspaceId: shop.id, externalId: "cust-evil" },
    });
    expect(created).toMatchObject({ email: null, firstName: "Mallory" });
  });

  it("lets a browser with the backend's userHash update the contact", async () => {
    await existingAda();
    const verified = identify(
      "ada@example.com",
      { firstName: "Ada M." },
      { userHash: userHashOf(identitySecret, "ada@example.com") },
    );
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch: [verified] });
    expect(response.body).toMatchObject({ accepted: 1, rejected: [] });
    expect(await contactByEmail("ada@example.com")).toMatchObject({ firstName: "Ada M." });
  });

  it("refuses a wrong userHash with a code, and changes nothing", async () => {
    await existingAda();
    const forged = identify(
      "ada@example.com",
      { firstName: "Mallory" },
      { userHash: userHashOf("not the secret", "ada@example.com") },
    );
    const other = identify(
      "ada@example.com",
      {},
      {
        userHash: userHashOf(identitySecret, "grace@example.com"),
      },
    );
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch: [forged, other] });
    expect(response.body.accepted).toBe(0);
    expect(response.body.rejected.map((r: { code: string }) => r.code)).toEqual([
      "invalid_user_hash",
      "invalid_user_hash",
    ]);
    expect(await contactByEmail("ada@example.com")).toMatchObject({ firstName: "Ada" });
    expect(await db().event.count({ where: { workspaceId: shop.id } })).toBe(0);
  });

  it("does not accept another workspace's secret", async () => {
    await existingAda();
    const other = await createTestShop(api);
    const { workspace } = await api.data("{ workspace { identitySecret } }", {}, other.secretKey);
    expect(workspace.identitySecret).not.toBe(identitySecret);
    const crossed = identify(
      "ada@example.com",
      { firstName: "Mallory" },
      { userHash: userHashOf(workspace.identitySecret, "ada@example.com") },
    );
    const response = await postBatch(api.app, { writeKey: shop.publicKey, batch: [crossed] });
    expect(response.body.rejected[0]?.code).toBe("invalid_user_hash");
  });

  it("still creates a new contact with its traits from an unverified browser", async () => {
    const signup = identify("new@example.com", { firstName: "Nell" });
    await postBatch(api.app, { writeKey: shop.publicKey, batch: [signup] });
    expect(await contactByEmail("new@example.com")).toMatchObject({ firstName: "Nell" });
  });

  it("trusts a secret key's identify without a hash", async () => {
    await existingAda();
    await postBatch(api.app, {
      writeKey: shop.secretKey,
      batch: [identify("ada@example.com", { firstName: "Ada L." })],
    });
    expect(await contactByEmail("ada@example.com")).toMatchObject({ firstName: "Ada L." });
  });
});
