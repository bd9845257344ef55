import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { ingestEvents } from "../src/domain/events/ingest-events.ts";
import { createTestShop, postBatch, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;

beforeEach(async () => {
  shop = await createTestShop(api);
});

const send = async (batch: unknown[], key = shop.publicKey) => {
  const response = await postBatch(api.app, { writeKey: key, batch });
  expect(response.status).toBe(200);
  expect(response.body.rejected).toEqual([]);
  return response.body;
};

const eventsOf = (workspaceId: string) =>
  db().event.findMany({ where: { workspaceId }, orderBy: { id: "asc" } });

const trusted = { source: "trusted" } as const;

const identify = (anonymousId: string, userId: string, traits: Record<string, unknown> = {}) =>
  wireEvent({ type: "identify", event: "Identify", anonymousId, userId, traits, properties: {} });

describe("identity", () => {
  it("an identify creates the contact with its traits and attaches the anonymous history", async () => {
    await send([wireEvent({ anonymousId: "browser-1" }), wireEvent({ anonymousId: "browser-1" })]);
    await send([wireEvent({ anonymousId: "someone-else" })]);
    await send([
      wireEvent({ anonymousId: "browser-1", event: "Checkout Started" }),
      identify("browser-1", "Ada@Example.com", {
        firstName: "Ada",
        last_name: "Lovelace",
        phone: "+44 20 7946 0000",
        favouriteColour: "green",
      }),
    ]);
    await send([wireEvent({ anonymousId: "browser-1", event: "Order Completed" })]);

    const contact = await db().contact.findFirstOrThrow({
      where: { workspaceId: shop.id, email: "ada@example.com" },
    });
    expect(contact).toMatchObject({
      firstName: "Ada",
      lastName: "Lovelace",
      phone: "+44 20 7946 0000",
      properties: { favouriteColour: "green" },
    });
    const events = await eventsOf(shop.id);
    expect(
      events.filter((event) => event.anonymousId === "browser-1").map((event) => event.contactId),
    ).toEqual(Array(5).fill(contact.id));
    expect(events.find((event) => event.anonymousId === "someone-else")?.contactId).toBeNull();
    const identity = await db().anonymousIdentity.findUniqueOrThrow({
      where: {
        workspaceId_anonymousId: { workspaceId: shop.id, anonymousId: "browser-1" },
      },
    });
    expect(identity.contactId).toBe(contact.id);
  });

  it("two devices that identify as the same person become one contact with both histories", async () => {
    await send([wireEvent({ anonymousId: "phone" }), wireEvent({ anonymousId: "laptop" })]);
    await send([identify("phone", "cust-42", { email: "grace@example.com" })]);
    await send([identify("laptop", "cust-42")]);
    await send([wireEvent({ anonymousId: "laptop", event: "Wishlist Added" })]);

    const contacts = await db().contact.findMany({ where: { workspaceId: shop.id } });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ externalId: "cust-42", email: "grace@example.com" });
    const events = await eventsOf(shop.id);
    expect(events).toHaveLength(5);
    expect(new Set(events.map((event) => event.contactId))).toEqual(new Set([contacts[0]!.id]));
  });

  it("merges two devices identifying at the same moment, and a concurrent batch of one of them", async () => {
    await send([wireEvent({ anonymousId: "tab-a" }), wireEvent({ anonymousId: "tab-b" })]);
    const results = await Promise.all([
      // Trusted: traits of an unverified browser never change a contact that already exists.
      ingestEvents(shop.id, [identify("tab-a", "lin@example.com", { firstName: "Lin" })], trusted),
      ingestEvents(shop.id, [identify("tab-b", "lin@example.com", { lastName: "Wu" })], trusted),
      ingestEvents(shop.id, [wireEvent({ anonymousId: "tab-a", event: "Scrolled" })]),
      ingestEvents(shop.id, [wireEvent({ anonymousId: "tab-b", event: "Scrolled" })]),
    ]);
    expect(results.map((result) => result.accepted)).toEqual([1, 1, 1, 1]);
    const contacts = await db().contact.findMany({ where: { workspaceId: shop.id } });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ firstName: "Lin", lastName: "Wu" });
    const events = await eventsOf(shop.id);
    expect(events).toHaveLength(6);
    expect(events.every((event) => event.contactId === contacts[0]!.id)).toBe(true);
  });

  it("is idempotent: a retried identify changes nothing and a late retry does not undo a newer one", async () => {
    const first = identify("shared-device", "first@example.com");
    await send([first]);
    await send([identify("shared-device", "second@example.com")]);
    const retried = await send([first]);
    expect(retried).toMatchObject({ accepted: 0, duplicates: 1 });
    await send([wireEvent({ anonymousId: "shared-device", event: "After" })]);

    const second = await db().contact.findFirstOrThrow({
      where: { workspaceId: shop.id, email: "second@example.com" },
    });
    const after = (await eventsOf(shop.id)).at(-1);
    expect(after).toMatchObject({ name: "After", contactId: second.id });
    expect(await db().contact.count({ where: { workspaceId: shop.id } })).toBe(2);
  });

  it("a retried or repeated identify does not merge its traits again over newer ones", async () => {
    // A trusted (secret-key) source: an unverified browser may not change an existing contact.
    const old = identify("device", "cust-7", { firstName: "Old" });
    await send([old], shop.secretKey);
    await send([identify("device", "cust-7", { firstName: "New" })], shop.secretKey);
    expect(await send([old], shop.secretKey)).toMatchObject({ accepted: 0, duplicates: 1 });
    const repeated = identify("device", "cust-8", { firstName: "First" });
    const result = await send([repeated, { ...repeated, traits: { firstName: "Second" } }]);
    expect(result).toMatchObject({ accepted: 1, duplicates: 1 });

    const names = await db().contact.findMany({
      where: { workspaceId: shop.id },
      orderBy: { externalId: "asc" },
      select: { externalId: true, firstName: true },
    });
    expect(names).toEqual([
      { externalId: "cust-7", firstName: "New" },
      { externalId: "cust-8", firstName: "First" },
    ]);
  });

  it("events earlier in the same batch as the identify belong to the contact too", async () => {
    await send([
      wireEvent({ anonymousId: "one-shot" }),
      identify("one-shot", "mo@example.com"),
      wireEvent({ anonymousId: "one-shot" }),
    ]);
    const events = await eventsOf(shop.id);
    expect(events.every((event) => event.contactId !== null)).toBe(true);
    expect(new Set(events.map((event) => event.contactId)).size).toBe(1);
  });

  it("a key of workspace A cannot attach events to workspace B's contacts", async () => {
    const other = await createTestShop(api);
    await api.data(
      `mutation { upsertContact(input: { email: "ada@example.com", firstName: "B's Ada" }) { __typename } }`,
      {},
      other.secretKey,
    );
    await send([
      wireEvent({ anonymousId: "x" }),
      identify("x", "ada@example.com", { firstName: "A's Ada" }),
    ]);

    const [inA, inB] = await Promise.all(
      [shop, other].map((workspace) =>
        db().contact.findFirstOrThrow({
          where: { workspaceId: workspace.id, email: "ada@example.com" },
        }),
      ),
    );
    expect(inA!.id).not.toBe(inB!.id);
    expect(inB).toMatchObject({ firstName: "B's Ada" });
    expect(await db().event.count({ where: { contactId: inB!.id } })).toBe(0);
    expect(await db().event.count({ where: { contactId: inA!.id } })).toBe(2);
    expect(await eventsOf(other.id)).toHaveLength(0);
  });
});
