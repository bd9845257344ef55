import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  createTemplate,
  deliverMessage,
  queueEmail,
  updateEmailSettings,
  upsertContact,
} from "@cartwheel/api/domain";
import { type LocalSes, startLocalSes } from "@cartwheel/api/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { attributeValues, launchChromium, signIn, startApi } from "./support.ts";

let api: Awaited<ReturnType<typeof startApi>>;
let ui: RunningAdminUi;
let browser: Browser;
let ses: LocalSes;

beforeAll(async () => {
  [api, ui, browser, ses] = await Promise.all([
    startApi(),
    startAdminUi(),
    launchChromium(),
    startLocalSes(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await api?.close();
  await ses?.close();
});

/** 30 shoppers; every third is tagged vip. Row 4 (CSV line 5) gets `badEmail` when given. */
function shoppersCsv(badEmail?: string): string {
  const lines = ["email,first_name,last_name,tags"];
  for (let i = 1; i <= 30; i++) {
    const email =
      i === 4 && badEmail ? badEmail : `shopper${String(i).padStart(2, "0")}@example.com`;
    lines.push(`${email},Shopper,"No. ${i}",${i % 3 === 0 ? "vip|newsletter" : "newsletter"}`);
  }
  lines[1] = 'ada@example.com,Ada,"Lovelace, Countess",vip|newsletter';
  return `${lines.join("\n")}\n`;
}

/** What the database holds, read back through GraphQL with the workspace's key. */
async function stored(secretKey: string) {
  const { contacts, tags } = await api.api.data(
    `{
      contacts(first: 100) { totalCount }
      tags(first: 100) { edges { node { name contactCount } } }
    }`,
    {},
    secretKey,
  );
  return {
    contactCount: contacts.totalCount as number,
    tags: Object.fromEntries(
      tags.edges.map((edge: { node: { name: string; contactCount: number } }) => [
        edge.node.name,
        edge.node.contactCount,
      ]),
    ),
  };
}

async function contactByEmail(secretKey: string, email: string) {
  const { contacts } = await api.api.data(
    `query($email: String!) { contacts(first: 1, filter: { email: $email }) {
        edges { node { id firstName lastName tags { name } } } } }`,
    { email },
    secretKey,
  );
  return contacts.edges[0]?.node;
}

it("refuses a wrong key at sign-in", async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(ui.url);
  await page.getByTestId("api-url").fill(api.url);
  await page.getByTestId("secret-key").fill("sk_not_a_key");
  await page.getByTestId("sign-in-submit").click();
  await expect
    .poll(() => page.getByTestId("sign-in-error").textContent())
    .toContain("UNAUTHENTICATED: This API key is unknown or has been revoked.");
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  await page.context().close();
});

it("imports a CSV, searches, filters, pages, edits and tags a contact, and renames a tag", async () => {
  const shop = await api.newShop();
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await expect.poll(() => page.getByTestId("workspace-name").textContent()).toMatch(/^Shop \d+$/);
  await page.getByTestId("nav-contacts").click();
  await expect
    .poll(() => page.getByTestId("contacts-total").textContent())
    .toBe("0 contacts · showing 0");

  // A CSV with one bad row: the whole batch is refused, the row is named, nothing is stored.
  await page.getByTestId("nav-import").click();
  await page.getByTestId("csv-file").setInputFiles({
    name: "shoppers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(shoppersCsv("shopper-four-at-example.com")),
  });
  await expect.poll(() => page.getByTestId("csv-text").inputValue()).toContain("shopper-four");
  await page.getByTestId("import-submit").click();
  const errorRow = page.getByTestId("import-error-row");
  await expect.poll(() => errorRow.count()).toBe(1);
  expect(await errorRow.getAttribute("data-line")).toBe("5");
  expect(await errorRow.textContent()).toContain("is not a valid email address");
  expect(await page.getByTestId("import-result").textContent()).toContain("Nothing was imported.");
  expect(await stored(shop.secretKey)).toEqual({ contactCount: 0, tags: {} });

  // Fixed, it goes in whole.
  await page.getByTestId("csv-text").fill(shoppersCsv());
  await page.getByTestId("import-submit").click();
  await expect
    .poll(() => page.getByTestId("import-done").textContent())
    .toBe("Imported 30 rows: 30 created, 0 updated.");
  expect(await stored(shop.secretKey)).toEqual({
    contactCount: 30,
    tags: { vip: 11, newsletter: 30 },
  });

  // Pagination: 25, then the last 5 with "Load more".
  await page.getByTestId("nav-contacts").click();
  await expect
    .poll(() => page.getByTestId("contacts-total").textContent())
    .toBe("30 contacts · showing 25");
  await page.getByTestId("load-more").click();
  await expect.poll(() => page.getByTestId("contact-row").count()).toBe(30);
  expect(await page.getByTestId("load-more").isHidden()).toBe(true);
  expect(new Set(await attributeValues(page, "contact-row", "data-email")).size).toBe(30);

  // Filters: tag, consent (set through the API), and email search.
  await page.getByTestId("tag-filter").selectOption("vip");
  await expect
    .poll(() => page.getByTestId("contacts-total").textContent())
    .toBe("11 contacts · showing 11");
  await api.api.data(
    `mutation { upsertContact(input: { email: "shopper06@example.com", consent: { status: SUBSCRIBED, source: "test" } }) { __typename } }`,
    {},
    shop.secretKey,
  );
  await page.getByTestId("consent-filter").selectOption("SUBSCRIBED");
  await expect
    .poll(() => attributeValues(page, "contact-row", "data-email"))
    .toEqual(["shopper06@example.com"]);
  await page.getByTestId("tag-filter").selectOption("");
  await page.getByTestId("consent-filter").selectOption("");
  await page.getByTestId("contact-search").fill("ADA@");
  await expect
    .poll(() => attributeValues(page, "contact-row", "data-email"))
    .toEqual(["ada@example.com"]);

  // The contact: fields, then name and tags changed through the API.
  await page.getByTestId("contact-row").getByRole("link").click();
  await expect.poll(() => page.getByTestId("contact-email").textContent()).toBe("ada@example.com");
  expect(await page.getByTestId("contact-name").textContent()).toBe("Ada Lovelace, Countess");
  expect(await page.getByTestId("contact-consent").textContent()).toBe("UNKNOWN");
  expect(await page.getByTestId("contact-properties").textContent()).toBe("{}");

  await page.getByTestId("last-name").fill("King");
  await page.getByTestId("save-name").click();
  await expect.poll(() => page.getByTestId("contact-name").textContent()).toBe("Ada King");

  await page.getByTestId("tag-input").fill("loyal");
  await page.getByTestId("add-tag").click();
  await expect
    .poll(async () => (await attributeValues(page, "contact-tag", "data-tag")).sort())
    .toEqual(["loyal", "newsletter", "vip"]);
  await page.getByTestId("untag-newsletter").click();
  await expect
    .poll(() => attributeValues(page, "contact-tag", "data-tag"))
    .toEqual(["vip", "loyal"]);
  expect(await contactByEmail(shop.secretKey, "ada@example.com")).toMatchObject({
    firstName: "Ada",
    lastName: "King",
    tags: [{ name: "vip" }, { name: "loyal" }],
  });

  // Tags: rename one, create and delete another.
  await page.getByTestId("nav-tags").click();
  const vipRow = page.locator('[data-testid=tag-row][data-tag="vip"]');
  await vipRow.getByTestId("rename-tag").click();
  await vipRow.getByTestId("rename-input").fill("VIP customers");
  await vipRow.getByTestId("rename-save").click();
  const renamed = page.locator('[data-testid=tag-row][data-tag="VIP customers"]');
  await expect.poll(() => renamed.getByTestId("tag-count").textContent()).toBe("11");
  await page.getByTestId("new-tag-name").fill("spare");
  await page.getByTestId("create-tag").click();
  const spare = page.locator('[data-testid=tag-row][data-tag="spare"]');
  await spare.getByTestId("delete-tag").click();
  await spare.getByTestId("delete-tag").click();
  await expect.poll(() => spare.count()).toBe(0);
  expect(await stored(shop.secretKey)).toEqual({
    contactCount: 30,
    tags: { "VIP customers": 11, newsletter: 29, loyal: 1 },
  });

  // A duplicate name comes back as a typed error, shown as such.
  await page.getByTestId("new-tag-name").fill("loyal");
  await page.getByTestId("create-tag").click();
  await expect.poll(() => page.getByTestId("tags-error").textContent()).toMatch(/^Conflict on /);

  // The session survives a reload (sessionStorage), and signing out forgets it.
  await page.reload();
  await page.getByTestId("tags-table").waitFor();
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-in").waitFor();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(errors).toEqual([]);
});

it("adds the contact's new events and mail to the timeline live, and closes the streams on leaving", async () => {
  const shop = await api.newShop();
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  await updateEmailSettings(workspaceId, {
    fromEmail: "hello@shop.example",
    postalAddress: "1 Main St",
    sendRatePerSecond: 1000,
  });
  const template = await createTemplate(workspaceId, {
    name: "Tent care",
    kind: "MARKETING",
    subject: "Caring for your tent",
    html: "<p>Dry it before you fold it.</p>",
  });
  const { contact } = await upsertContact(workspaceId, {
    email: "ada@example.com",
    externalId: "ada",
    consent: { status: "SUBSCRIBED", source: "test" },
  });
  const ingest = (userId: string, event: string, minutesAgo: number, properties = {}) =>
    api.api.data(
      `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) { __typename } }`,
      {
        input: {
          events: [
            {
              type: "TRACK",
              event,
              userId,
              messageId: `${userId}-${event}-${minutesAgo}`,
              timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
              properties,
            },
          ],
        },
      },
      shop.secretKey,
    );
  await ingest("ada", "Product Viewed", 30, { name: "Trail tent" });

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  const streams: string[] = [];
  page.on("requestfailed", (request) => {
    if (request.headers().accept === "text/event-stream") streams.push("closed");
  });
  const globalId = Buffer.from(`Contact:${contact.id}`).toString("base64");
  await page.goto(`${ui.url}/#/contacts/${encodeURIComponent(globalId)}`);
  const entries = page.getByTestId("timeline-entry");
  const lines = () => entries.locator(":scope > span:last-child").allTextContents();
  await expect.poll(lines).toEqual(["Product Viewed name: Trail tent"]);
  await expect.poll(() => page.getByTestId("live-state").getAttribute("data-state")).toBe("live");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  // Another contact's event stays off this page; Ada's goes on top.
  await ingest("someone-else", "Cart Viewed", 1);
  await ingest("ada", "Cart Viewed", 1, { items: 2 });
  await expect.poll(lines).toEqual(["Cart Viewed items: 2", "Product Viewed name: Trail tent"]);

  // A dropped stream resumes after the newest event it had: what was stored meanwhile arrives once.
  api.dropConnections();
  await expect
    .poll(() => page.getByTestId("live-state").getAttribute("data-state"))
    .toBe("reconnecting");
  await ingest("ada", "Checkout Started", 0, { step: 1 });
  await expect
    .poll(lines)
    .toEqual([
      "Checkout Started step: 1",
      "Cart Viewed items: 2",
      "Product Viewed name: Trail tent",
    ]);

  // Mail to Ada: the message's entry appears once it is sent.
  const { message } = await queueEmail(workspaceId, {
    templateId: template.id,
    contactId: contact.id,
    idempotencyKey: "tent-care",
  });
  await deliverMessage(message.id, { sender: ses.sender });
  await expect
    .poll(() => attributeValues(page, "timeline-entry", "data-source"))
    .toContain("MESSAGE");
  expect(await lines()).toContain("Sent “Caring for your tent” Tent care");
  expect(await lines()).toContain("Cart Viewed items: 2");
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
  ).toBe(true);
  const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");
  await mkdir(screenshots, { recursive: true });
  await page.getByTestId("contact-timeline").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(screenshots, "admin-contact-timeline-live.png") });

  const closedBefore = streams.length;
  await page.getByTestId("nav-tags").click();
  await expect.poll(() => streams.length).toBe(closedBefore + 2);
  expect(errors).toEqual([]);
});
