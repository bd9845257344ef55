import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestServer } from "./support/api-server.ts";
import { countRows, tableState } from "./support/database-state.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

describe("importing contacts", () => {
  it("upserts contacts from a CSV by customer id, with consent, tags and properties", async () => {
    const shop = await server.newShop();
    const csv = `id,email,first_name,last_name,phone,locale,timezone,birthday,tags,consent,consent_source,property:plan
c-1,Ada@Example.com,Ada,Lovelace,+44 20 7946 0000,en-GB,Europe/London,1815-12-10,vip|newsletter,subscribed,checkout,pro
c-2,grace@example.com,Grace,,,,,,,,,
,alan@example.com,Alan,,,,,,,unsubscribed,,
c-4,not-an-email,Bad,,,,,,,,,
c-5,linus@example.com,Linus,,,,America/Nowhere,,,,,
`;
    const file = await writeInput("contacts.csv", csv);
    const run = await runCommand(["contacts", file], { key: shop.secretKey, url: server.url });
    expect(run.stdout).toContain(
      "contacts: 3 imported (3 created, 0 updated), 2 rejected, from 5 rows",
    );
    expect(run.stdout).toContain("line 5 (c-4)  email: is not a valid email address");
    expect(run.stdout).toContain(
      "line 6 (c-5)  timezone: is not an IANA time zone such as Europe/Paris",
    );
    expect(run.code).toBe(1);
    const contacts = (await tableState("contacts", shop.workspaceId)) as Record<string, unknown>[];
    const ada = contacts.find((contact) => contact.external_id === "c-1");
    expect(ada).toMatchObject({
      email: "ada@example.com",
      first_name: "Ada",
      locale: "en-GB",
      consent_status: "SUBSCRIBED",
      consent_source: "checkout",
      properties: { plan: "pro" },
    });
    const alan = contacts.find((contact) => contact.email === "alan@example.com");
    expect(alan).toMatchObject({
      external_id: null,
      consent_status: "UNSUBSCRIBED",
      consent_source: "import",
    });
    expect(await countRows("tags", shop.workspaceId)).toBe(2);

    const again = await runCommand(["contacts", file], { key: shop.secretKey, url: server.url });
    expect(again.stdout).toContain("3 imported (0 created, 3 updated)");
    expect(await countRows("contacts", shop.workspaceId)).toBe(3);
  });

  it("imports NDJSON ContactInput lines and reports an email repeated in the file", async () => {
    const shop = await server.newShop();
    const lines = [
      { externalId: "c-1", email: "ada@example.com", firstName: "Ada", tags: ["vip"] },
      { email: "grace@example.com", properties: { plan: "free" } },
      { externalId: "c-3", email: "ADA@example.com" },
    ];
    const file = await writeInput(
      "contacts.ndjson",
      lines.map((l) => JSON.stringify(l)).join("\n"),
    );
    const run = await runCommand(["contacts", file], { key: shop.secretKey, url: server.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("2 imported (2 created, 0 updated), 1 rejected");
    expect(run.stdout).toContain("line 3 (c-3)  repeats the email ada@example.com of line 1");
  });

  it("stops with a clear message when the key may not write contacts", async () => {
    const shop = await server.newShop();
    const catalogOnly = await shop.makeKey("SECRET", ["CATALOG_WRITE"]);
    const file = await writeInput("contacts.csv", "id,email\nc-1,ada@example.com\n");
    const run = await runCommand(["contacts", file], { key: catalogOnly.key, url: server.url });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "the key may not import contacts: importContacts needs a secret key with the contacts:write scope",
    );
    expect(await countRows("contacts", shop.workspaceId)).toBe(0);
  });
});
