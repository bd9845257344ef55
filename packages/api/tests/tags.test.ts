import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let key: string;
let contactIds: string[];

beforeEach(async () => {
  ({ secretKey: key } = await createTestWorkspace(api));
  const { importContacts } = await api.data(
    `mutation { importContacts(input: { contacts: [{ email: "a@example.com" }, { email: "b@example.com" }] }) {
      ... on MutationImportContactsSuccess { result { rows { contactId } } } } }`,
    {},
    key,
  );
  contactIds = importContacts.result.rows.map((row: { contactId: string }) => row.contactId);
});

const tagging = (name: "tagContacts" | "untagContacts") => `mutation($input: TagContactsInput!) {
  ${name}(input: $input) {
    __typename
    ... on ${name === "tagContacts" ? "MutationTagContactsSuccess" : "MutationUntagContactsSuccess"} { result { changedCount } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

describe("tags", () => {
  it("creates, applies, lists, renames, removes and deletes tags", async () => {
    const { createTag } = await api.data(
      `mutation { createTag(input: { name: "vip" }) { ... on MutationCreateTagSuccess { tag { id name contactCount } } } }`,
      {},
      key,
    );
    expect(createTag.tag).toMatchObject({ name: "vip", contactCount: 0 });

    const tagged = await api.data(
      tagging("tagContacts"),
      { input: { contactIds, tags: ["vip"] } },
      key,
    );
    expect(tagged.tagContacts.result.changedCount).toBe(2);
    const again = await api.data(
      tagging("tagContacts"),
      { input: { contactIds, tags: ["vip"] } },
      key,
    );
    expect(again.tagContacts.result.changedCount).toBe(0);

    const renamed = await api.data(
      `mutation($id: ID!) { renameTag(input: { id: $id, name: "VIP" }) { ... on MutationRenameTagSuccess { tag { name contactCount } } } }`,
      { id: createTag.tag.id },
      key,
    );
    expect(renamed.renameTag.tag).toEqual({ name: "VIP", contactCount: 2 });

    const untagged = await api.data(
      tagging("untagContacts"),
      { input: { contactIds: [contactIds[0]], tags: ["VIP"] } },
      key,
    );
    expect(untagged.untagContacts.result.changedCount).toBe(1);
    const { tags } = await api.data(
      `{ tags { totalCount edges { node { name contactCount } } } }`,
      {},
      key,
    );
    expect(tags).toEqual({ totalCount: 1, edges: [{ node: { name: "VIP", contactCount: 1 } }] });

    await api.data(
      `mutation($id: ID!) { deleteTag(input: { id: $id }) { __typename } }`,
      { id: createTag.tag.id },
      key,
    );
    const after = await api.data(
      `query($id: ID!) { contact(id: $id) { tags { name } } tags { totalCount } }`,
      { id: contactIds[1] },
      key,
    );
    expect(after).toEqual({ contact: { tags: [] }, tags: { totalCount: 0 } });
  });

  it("refuses an unknown tag, naming it, and changes nothing", async () => {
    await api.data(`mutation { createTag(input: { name: "known" }) { __typename } }`, {}, key);
    const { tagContacts } = await api.data(
      tagging("tagContacts"),
      { input: { contactIds, tags: ["known", "nope"] } },
      key,
    );
    expect(tagContacts.__typename).toBe("InvalidInputError");
    expect(tagContacts.problems).toEqual([{ path: ["tags", "1"], message: 'unknown tag "nope"' }]);
    const { tags } = await api.data(`{ tags { edges { node { name contactCount } } } }`, {}, key);
    expect(tags.edges).toEqual([{ node: { name: "known", contactCount: 0 } }]);
  });

  it("refuses a duplicate tag name and a malformed contact id", async () => {
    await api.data(`mutation { createTag(input: { name: "dup" }) { __typename } }`, {}, key);
    const { createTag } = await api.data(
      `mutation { createTag(input: { name: "dup" }) { __typename ... on ConflictError { path } } }`,
      {},
      key,
    );
    expect(createTag).toEqual({ __typename: "ConflictError", path: ["name"] });
    const { tagContacts } = await api.data(
      tagging("tagContacts"),
      { input: { contactIds: ["bogus"], tags: ["dup"] } },
      key,
    );
    expect(tagContacts.problems).toEqual([
      { path: ["contactIds", "0"], message: "is not a Contact id" },
    ]);
  });
});
