import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let key: string;

beforeEach(async () => {
  ({ secretKey: key } = await createTestWorkspace(api));
});

const upsert = `mutation($input: ContactInput!) {
  upsertContact(input: $input) {
    __typename
    ... on MutationUpsertContactSuccess { result { created contact { id email externalId firstName properties score tags { name } consent { status source } birthday } } }
    ... on InvalidInputError { message problems { path message } }
    ... on ConflictError { message path }
  }
}`;

describe("upsertContact", () => {
  it("creates a contact with a normalised email, then updates it by email, merging properties", async () => {
    const first = await api.data(
      upsert,
      {
        input: {
          email: "  Ada@Example.COM ",
          firstName: "Ada",
          properties: { plan: "pro", size: "M" },
          tags: ["vip"],
        },
      },
      key,
    );
    expect(first.upsertContact.result.created).toBe(true);
    expect(first.upsertContact.result.contact).toMatchObject({
      email: "ada@example.com",
      firstName: "Ada",
      properties: { plan: "pro", size: "M" },
      tags: [{ name: "vip" }],
      consent: { status: "UNKNOWN", source: null },
    });

    const second = await api.data(
      upsert,
      {
        input: {
          email: "ada@example.com",
          properties: { size: null, city: "London" },
          consent: { status: "SUBSCRIBED", source: "checkout" },
        },
      },
      key,
    );
    expect(second.upsertContact.result.created).toBe(false);
    expect(second.upsertContact.result.contact.id).toBe(first.upsertContact.result.contact.id);
    expect(second.upsertContact.result.contact).toMatchObject({
      firstName: "Ada",
      properties: { plan: "pro", city: "London" },
      consent: { status: "SUBSCRIBED", source: "checkout" },
    });
  });

  it("finds the contact by external id first, and can then set its email", async () => {
    const created = await api.data(
      upsert,
      { input: { externalId: "cust-1", firstName: "Grace" } },
      key,
    );
    const updated = await api.data(
      upsert,
      { input: { externalId: "cust-1", email: "grace@example.com" } },
      key,
    );
    expect(updated.upsertContact.result.created).toBe(false);
    expect(updated.upsertContact.result.contact).toMatchObject({
      id: created.upsertContact.result.contact.id,
      email: "grace@example.com",
      firstName: "Grace",
    });
  });

  it.each([
    [{ email: "not-an-email" }, ["email"], "valid email"],
    [{ firstName: "Nobody" }, ["email"], "email or an externalId"],
    [{ email: "a@example.com", timezone: "Mars/Olympus" }, ["timezone"], "IANA"],
    [{ email: "a@example.com", birthday: "1990-02-31" }, ["birthday"], "date"],
    [{ email: "a@example.com", locale: "not a locale!" }, ["locale"], "BCP 47"],
  ])("refuses %j with a typed error naming the field", async (input, path, words) => {
    const { upsertContact } = await api.data(upsert, { input }, key);
    expect(upsertContact.__typename).toBe("InvalidInputError");
    expect(upsertContact.problems[0].path).toEqual(path);
    expect(upsertContact.problems[0].message).toContain(words);
    const { contacts } = await api.data("{ contacts { totalCount } }", {}, key);
    expect(contacts.totalCount).toBe(0);
  });

  it("reports a conflict when email and external id name two different contacts", async () => {
    await api.data(upsert, { input: { email: "one@example.com" } }, key);
    await api.data(upsert, { input: { externalId: "two" } }, key);
    const { upsertContact } = await api.data(
      upsert,
      { input: { email: "one@example.com", externalId: "two" } },
      key,
    );
    expect(upsertContact.__typename).toBe("ConflictError");
    expect(upsertContact.path).toEqual(["email"]);
  });
});

describe("updateContact and deleteContact", () => {
  const update = `mutation($input: UpdateContactInput!) {
    updateContact(input: $input) {
      __typename
      ... on MutationUpdateContactSuccess { contact { id email lastName phone } }
      ... on Error { message }
      ... on InvalidInputError { problems { path } }
      ... on ConflictError { path }
    }
  }`;

  it("changes only the given fields and clears fields set to null", async () => {
    const { upsertContact } = await api.data(
      upsert,
      { input: { email: "x@example.com", externalId: "x" } },
      key,
    );
    const id = upsertContact.result.contact.id;
    await api.data(
      update,
      { input: { id, fields: { lastName: "Lovelace", phone: "+44 20 7946 0000" } } },
      key,
    );
    const { updateContact } = await api.data(
      update,
      { input: { id, fields: { phone: null } } },
      key,
    );
    expect(updateContact.contact).toEqual({
      id,
      email: "x@example.com",
      lastName: "Lovelace",
      phone: null,
    });
  });

  it("refuses an email that another contact has", async () => {
    await api.data(upsert, { input: { email: "taken@example.com" } }, key);
    const { upsertContact } = await api.data(upsert, { input: { email: "free@example.com" } }, key);
    const { updateContact } = await api.data(
      update,
      { input: { id: upsertContact.result.contact.id, fields: { email: "TAKEN@example.com" } } },
      key,
    );
    expect(updateContact).toMatchObject({ __typename: "ConflictError", path: ["email"] });
  });

  it("returns NotFoundError for an unknown id and InvalidInputError for a malformed one", async () => {
    const unknown = await api.data(
      update,
      { input: { id: "Q29udGFjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDE=", fields: {} } },
      key,
    );
    expect(unknown.updateContact.__typename).toBe("NotFoundError");
    const malformed = await api.data(update, { input: { id: "nope", fields: {} } }, key);
    expect(malformed.updateContact).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["id"] }],
    });
  });

  it("erases a contact so it can no longer be read", async () => {
    const { upsertContact } = await api.data(upsert, { input: { email: "gone@example.com" } }, key);
    const id = upsertContact.result.contact.id;
    const erase = `mutation($input: DeleteContactInput!) { deleteContact(input: $input) { __typename ... on MutationDeleteContactSuccess { deletedContactId } } }`;
    const { deleteContact } = await api.data(erase, { input: { id } }, key);
    expect(deleteContact.deletedContactId).toBe(id);
    const { contact } = await api.data("query($id: ID!) { contact(id: $id) { id } }", { id }, key);
    expect(contact).toBeNull();
    const again = await api.data(erase, { input: { id } }, key);
    expect(again.deleteContact.__typename).toBe("NotFoundError");
  });

  it("erases nothing for a Contact id whose inner id is not a uuid", async () => {
    await api.data(upsert, { input: { email: "kept@example.com" } }, key);
    const notUuid = Buffer.from("Contact:not-a-uuid").toString("base64");
    const { deleteContact } = await api.data(
      `mutation($id: ID!) { deleteContact(input: { id: $id }) { __typename } }`,
      { id: notUuid },
      key,
    );
    expect(deleteContact.__typename).toBe("NotFoundError");
    const { contacts } = await api.data("{ contacts { totalCount } }", {}, key);
    expect(contacts.totalCount).toBe(1);
  });
});
