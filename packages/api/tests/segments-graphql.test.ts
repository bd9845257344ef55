import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { daysAgo, makeContact, storeEvent } from "./segment-fixtures.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestWorkspace>> & { rowId: string };
beforeEach(async () => {
  const created = await createTestWorkspace(api);
  shop = { ...created, rowId: decodeGlobalID(created.workspaceId).id };
});

const createSegment = `mutation($input: CreateSegmentInput!) {
  createSegment(input: $input) {
    __typename
    ... on MutationCreateSegmentSuccess { segment { id name count filter members(first: 10) { edges { node { id } } } } }
    ... on InvalidInputError { problems { path message } }
    ... on SegmentCycleError { segmentIds }
    ... on Error { message }
  }
}`;
const updateSegment = `mutation($input: UpdateSegmentInput!) {
  updateSegment(input: $input) {
    __typename
    ... on SegmentCycleError { segmentIds }
    ... on Error { message }
  }
}`;
const contactId = (id: string) => encodeGlobalID("Contact", id);

async function create(filter: unknown, name = "Segment", key = shop.secretKey) {
  const { createSegment: result } = await api.data(createSegment, { input: { name, filter } }, key);
  return result;
}

describe("segments over GraphQL", () => {
  it("saves a typed filter, lists members, filters contacts and explains a contact", async () => {
    const ada = await makeContact(shop.rowId, { properties: { plan: "pro" }, tags: ["vip"] });
    const grace = await makeContact(shop.rowId, { properties: { plan: "pro" } });
    await storeEvent(
      shop.rowId,
      ada.id,
      "Page Viewed",
      { path: "/pricing/team" },
      daysAgo(1, new Date()),
    );
    const vip = await create({ tag: { name: "vip" } }, "VIP");
    const result = await create({
      and: [
        { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
        { inSegment: { segmentId: vip.segment.id } },
        {
          event: {
            name: "Page Viewed",
            withinDays: 7,
            where: [{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/pricing" }],
          },
        },
      ],
    });
    expect(result.__typename).toBe("MutationCreateSegmentSuccess");
    expect(result.segment.count).toBe(1);
    expect(result.segment.members.edges).toEqual([{ node: { id: contactId(ada.id) } }]);
    expect(result.segment.filter.and[1].inSegment.segmentId).toBe(vip.segment.id);

    const { contacts, node } = await api.data(
      `query($segmentId: ID!, $contact: ID!) {
        contacts(filter: { segmentId: $segmentId }) { totalCount edges { node { id } } }
        node(id: $contact) { ... on Contact { segments { name } } }
      }`,
      { segmentId: result.segment.id, contact: contactId(ada.id) },
      shop.secretKey,
    );
    expect(contacts.totalCount).toBe(1);
    expect(node.segments.map((s: any) => s.name).sort()).toEqual(["Segment", "VIP"]);

    const { explainSegment } = await api.data(
      `query($segmentId: ID!, $contactId: ID!) {
        explainSegment(segmentId: $segmentId, contactId: $contactId) {
          __typename
          ... on QueryExplainSegmentSuccess { data { isMember matches tree { kind matches children { kind matches actual events { name } children { kind matches } } } } }
        }
      }`,
      { segmentId: result.segment.id, contactId: contactId(grace.id) },
      shop.secretKey,
    );
    const { data } = explainSegment;
    expect(data).toMatchObject({ isMember: false, matches: false, tree: { kind: "and" } });
    expect(data.tree.children.map((c: any) => [c.kind, c.matches])).toEqual([
      ["property", true],
      ["inSegment", false],
      ["event", false],
    ]);
    expect(data.tree.children[0].actual).toBe('"pro"');
    expect(data.tree.children[1].children).toEqual([{ kind: "tag", matches: false }]);
  });

  it("previews a filter without saving it", async () => {
    await makeContact(shop.rowId, { score: 70 });
    await makeContact(shop.rowId, { score: 10 });
    const { previewSegment } = await api.data(
      `query($filter: SegmentFilterInput!) {
        previewSegment(filter: $filter, sampleSize: 5) {
          __typename
          ... on QueryPreviewSegmentSuccess { data { count sample { score } } }
        }
        segments { totalCount }
      }`,
      { filter: { or: [{ score: { min: 50 } }, { not: { score: { min: 0 } } }] } },
      shop.secretKey,
    );
    expect(previewSegment.data).toEqual({ count: 1, sample: [{ score: 70 }] });
  });

  it("explains a filter that is not saved, for one contact of the workspace only", async () => {
    const ada = await makeContact(shop.rowId, { score: 70 });
    await storeEvent(
      shop.rowId,
      ada.id,
      "Page Viewed",
      { path: "/pricing" },
      daysAgo(1, new Date()),
    );
    const explain = `query($filter: SegmentFilterInput!, $contactId: ID!) {
      explainFilter(filter: $filter, contactId: $contactId) {
        __typename
        ... on QueryExplainFilterSuccess { data { matches tree { kind matches children { kind matches actual events { name } } } } }
        ... on InvalidInputError { problems { path message } }
        ... on NotFoundError { message }
      }
    }`;
    const filter = {
      and: [{ score: { min: 50 } }, { event: { name: "Page Viewed", withinDays: 7 } }],
    };
    const { explainFilter } = await api.data(
      explain,
      { filter, contactId: contactId(ada.id) },
      shop.secretKey,
    );
    expect(explainFilter.data).toMatchObject({ matches: true, tree: { kind: "and" } });
    expect(explainFilter.data.tree.children.map((c: any) => [c.kind, c.matches])).toEqual([
      ["score", true],
      ["event", true],
    ]);
    expect(explainFilter.data.tree.children[1].events).toEqual([{ name: "Page Viewed" }]);
    const stricter = await api.data(
      explain,
      { filter: { score: { min: 90 } }, contactId: contactId(ada.id) },
      shop.secretKey,
    );
    expect(stricter.explainFilter.data).toMatchObject({ matches: false });
    expect(await db().segment.count({ where: { workspaceId: shop.rowId } })).toBe(0);

    const bad = await api.data(
      explain,
      {
        filter: { event: { name: "Page Viewed", withinDays: 1, withinHours: 2 } },
        contactId: contactId(ada.id),
      },
      shop.secretKey,
    );
    expect(bad.explainFilter.__typename).toBe("InvalidInputError");

    const other = await createTestWorkspace(api);
    const elsewhere = await api.data(
      explain,
      { filter, contactId: contactId(ada.id) },
      other.secretKey,
    );
    expect(elsewhere.explainFilter.__typename).toBe("NotFoundError");
  });

  it("takes windows in hours and minutes, saved as given, and refuses two at once", async () => {
    const ada = await makeContact(shop.rowId);
    await storeEvent(shop.rowId, ada.id, "Page Viewed", {}, new Date(Date.now() - 3_600_000));
    const lastTwoHours = await create({ event: { name: "Page Viewed", withinHours: 2 } });
    expect(lastTwoHours.segment.members.edges).toEqual([{ node: { id: contactId(ada.id) } }]);
    expect(lastTwoHours.segment.filter).toEqual({
      event: { name: "Page Viewed", withinHours: 2 },
    });
    const lastHalfHour = await create({ event: { name: "Page Viewed", withinMinutes: 30 } });
    expect(lastHalfHour.segment.count).toBe(0);

    const both = await create({
      orders: { metric: "COUNT", op: "EQUALS", value: "0", withinDays: 1, withinMinutes: 30 },
    });
    expect(both.__typename).toBe("InvalidInputError");
    expect(both.problems).toEqual([
      {
        path: ["filter", "orders", "withinMinutes"],
        message:
          "set at most one of withinDays, withinHours, withinMinutes (withinDays is set too)",
      },
    ]);
  });

  it("refuses invalid filters with typed errors, and cycles", async () => {
    const zero = await create({ event: { name: "Page Viewed", withinDays: 0 } });
    expect(zero.__typename).toBe("InvalidInputError");
    expect(zero.problems[0]).toMatchObject({ path: ["filter", "event", "withinDays"] });
    const badType = await create({
      property: { key: "total", type: "NUMBER", op: "EQUALS", value: "lots" },
    });
    expect(badType.problems[0].path).toEqual(["filter", "property", "value"]);
    const twoKinds = await api.request(
      createSegment,
      { input: { name: "x", filter: { tag: { name: "a" }, score: { min: 1 } } } },
      shop.secretKey,
    );
    expect(twoKinds.errors?.[0]?.message).toContain("Exactly one key");

    const a = await create({ tag: { name: "a" } }, "A");
    const b = await create({ inSegment: { segmentId: a.segment.id } }, "B");
    const { updateSegment: cycle } = await api.data(
      updateSegment,
      { input: { id: a.segment.id, filter: { inSegment: { segmentId: b.segment.id } } } },
      shop.secretKey,
    );
    expect(cycle).toMatchObject({
      __typename: "SegmentCycleError",
      segmentIds: [a.segment.id, b.segment.id, a.segment.id],
    });
    const { deleteSegment } = await api.data(
      `mutation($id: ID!) { deleteSegment(input: { id: $id }) { __typename } }`,
      { id: a.segment.id },
      shop.secretKey,
    );
    expect(deleteSegment.__typename).toBe("ConflictError");
  });

  it("keeps workspaces apart and needs the segments:write scope", async () => {
    await makeContact(shop.rowId, { tags: ["vip"] });
    const mine = await create({ tag: { name: "vip" } });
    const other = await createTestWorkspace(api);
    const { node, contacts } = await api.data(
      `query($id: ID!) { node(id: $id) { id } contacts(filter: { segmentId: $id }) { totalCount } }`,
      { id: mine.segment.id },
      other.secretKey,
    );
    expect(node).toBeNull();
    expect(contacts.totalCount).toBe(0);
    const reference = await create(
      { inSegment: { segmentId: mine.segment.id } },
      "x",
      other.secretKey,
    );
    expect(reference.__typename).toBe("InvalidInputError");
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    expect((await create({ tag: { name: "vip" } }, "x", reader.key)).__typename).toBe(
      "ForbiddenError",
    );
  });

  it("installs the ready-made segments once", async () => {
    const install = `mutation { installSegmentTemplates(input: { templates: [VIP_CUSTOMERS, CART_ABANDONERS] }) {
      ... on MutationInstallSegmentTemplatesSuccess { segments { id name templateKey } } } }`;
    const first = await api.data(install, {}, shop.secretKey);
    const second = await api.data(install, {}, shop.secretKey);
    expect(first.installSegmentTemplates.segments.map((s: any) => s.templateKey)).toEqual([
      "vip-customers",
      "cart-abandoners",
    ]);
    expect(second.installSegmentTemplates.segments).toEqual(first.installSegmentTemplates.segments);
  });
});
