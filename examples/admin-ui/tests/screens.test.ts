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

/** A shop with three contacts (two tagged vip), a saved segment and one library template. */
async function seededShop() {
  const shop = await api.newShop();
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  await call(
    `mutation($input: ImportContactsInput!) { importContacts(input: $input) { __typename } }`,
    {
      input: {
        contacts: [
          { email: "ann@example.com", tags: ["vip"] },
          { email: "bob@example.com", tags: ["vip"] },
          { email: "cy@example.com" },
        ],
      },
    },
  );
  const { createSegment } = await call(
    `mutation { createSegment(input: { name: "VIPs", description: "Tagged vip", filter: { tag: { name: "vip" } } }) {
        __typename ... on MutationCreateSegmentSuccess { segment { id } } } }`,
  );
  expect(createSegment.__typename).toBe("MutationCreateSegmentSuccess");
  const { installTemplateLibrary } = await call(
    `mutation { installTemplateLibrary(input: { keys: ["welcome"] }) { __typename } }`,
  );
  expect(installTemplateLibrary.__typename).toBe("MutationInstallTemplateLibrarySuccess");
  return shop;
}

it("shows saved segments and previews filters, typed errors included", async () => {
  const shop = await seededShop();
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-segments").click();
  const row = page.locator('[data-testid=segment-row][data-segment="VIPs"]');
  await expect.poll(() => row.getByTestId("segment-count").textContent()).toBe("2");

  await row.getByTestId("segment-use-filter").click();
  await expect
    .poll(() => page.getByTestId("segment-preview-count").textContent())
    .toBe("2 contacts match now.");

  await page
    .getByTestId("segment-filter")
    .fill(JSON.stringify({ tag: { name: "vip", has: false } }));
  await page.getByTestId("segment-preview-submit").click();
  await expect
    .poll(() => page.getByTestId("segment-preview-count").textContent())
    .toBe("1 contact matches now.");
  expect(await page.getByTestId("segment-preview").getByRole("link").textContent()).toBe(
    "cy@example.com",
  );

  // An invalid filter: a GraphQL validation error (two fields set on a @oneOf input).
  await page
    .getByTestId("segment-filter")
    .fill(JSON.stringify({ tag: { name: "vip" }, score: { min: 1 } }));
  await page.getByTestId("segment-preview-submit").click();
  await expect
    .poll(() => page.getByTestId("segment-preview-error").textContent())
    .toContain("Exactly one key must be specified");

  // A filter GraphQL accepts but Cartwheel refuses: the typed InvalidInputError, field by field.
  await page
    .getByTestId("segment-filter")
    .fill(JSON.stringify({ field: { name: "EMAIL", op: "BETWEEN" } }));
  await page.getByTestId("segment-preview-submit").click();
  await expect
    .poll(() => page.getByTestId("segment-preview-error").textContent())
    .toMatch(/field\.\w+: /);
  expect(errors).toEqual([]);
});

it("lists templates and renders a preview", async () => {
  const shop = await seededShop();
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-templates").click();
  await expect
    .poll(() => attributeValues(page, "template-row", "data-template"))
    .toEqual(["welcome"]);
  await page.getByTestId("template-preview-button").click();
  await expect
    .poll(() => page.getByTestId("template-preview-subject").textContent())
    .not.toBe(null);
  expect(await page.getByTestId("template-preview-subject").textContent()).not.toContain("{{");
  const html = await page.getByTestId("template-preview-html").getAttribute("srcdoc");
  expect(html).toContain("<html");
  expect(errors).toEqual([]);
});

it("shows FORBIDDEN where the key lacks a scope, for queries and for mutations alike", async () => {
  const shop = await seededShop();
  const readOnly = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
  const { page } = await signIn(browser, ui.url, api.url, readOnly.key);
  // The landing dashboard needs analytics:read.
  await expect.poll(() => page.getByTestId("screen-error").textContent()).toMatch(/^FORBIDDEN: /);
  await page.getByTestId("nav-contacts").click();
  await expect
    .poll(() => page.getByTestId("contacts-total").textContent())
    .toBe("3 contacts · showing 3");
  await page.getByTestId("nav-templates").click();
  await expect.poll(() => page.getByTestId("screen-error").textContent()).toMatch(/^FORBIDDEN: /);

  await page.getByTestId("nav-contacts").click();
  await page
    .locator('[data-testid=contact-row][data-email="ann@example.com"]')
    .getByRole("link")
    .click();
  await page.getByTestId("tag-input").fill("vip");
  await page.getByTestId("add-tag").click();
  await page.getByTestId("untag-vip").click();
  await expect.poll(() => page.getByTestId("contact-status").textContent()).toMatch(/^FORBIDDEN: /);
  const { contacts } = await api.api.data(
    `{ contacts(filter: { email: "ann@example.com" }) { edges { node { tags { name } } } } }`,
    {},
    shop.secretKey,
  );
  expect(contacts.edges[0].node.tags).toEqual([{ name: "vip" }]);
});
