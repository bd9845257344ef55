import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { attributeValues, launchChromium, signIn, startApi } from "./support.ts";

let api: Awaited<ReturnType<typeof startApi>>;
let ui: RunningAdminUi;
let browser: Browser;

beforeAll(async () => {
  [api, ui, browser] = await Promise.all([startApi(), startAdminUi(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await api?.close();
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
