import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { launchChromium, signIn, startApi } from "./support.ts";

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

/** Where the screenshots go, to look at after a run. */
const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");

it("edits a template with a live preview, refusing to save broken Liquid", async () => {
  const shop = await api.newShop();
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  const { createTemplate } = await call(
    `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) {
      __typename ... on MutationCreateTemplateSuccess { template { id } } } }`,
    {
      input: {
        name: "Welcome",
        kind: "MARKETING",
        subject: "Welcome, {{ contact.first_name }}",
        html: "<h1>Hi {{ contact.first_name }}</h1>",
      },
    },
  );
  const id = createTemplate.template.id as string;
  const saved = async () =>
    (await call("query($id: ID!) { template(id: $id) { version subject html } }", { id })).template;

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-templates").click();
  await page.getByTestId("template-edit-button").click();
  const subject = page.getByTestId("editor-preview-subject");
  await expect.poll(() => subject.textContent()).toBe("Welcome, Jane");

  await page.getByTestId("editor-subject").fill("Hello {{ contact.first_name | upcase }}");
  await expect.poll(() => subject.textContent()).toBe("Hello JANE");

  await page
    .getByTestId("editor-html")
    .fill("<h1>Hi {{ contact.first_name }}</h1>\n<p>{% if %}New arrivals</p>");
  await expect.poll(() => page.getByTestId("editor-error-html").textContent()).toContain("line 2");
  expect(await page.getByTestId("editor-error-subject").textContent()).toBe("");
  expect(await page.getByTestId("editor-preview-state").textContent()).toContain("fix");
  await page.getByTestId("editor-save").click();
  await page.getByTestId("editor-not-saved").waitFor();
  expect(await saved()).toMatchObject({ version: 1, subject: "Welcome, {{ contact.first_name }}" });
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-template-editor-error.png"),
    fullPage: true,
  });

  const html = "<h1>Hi {{ contact.first_name }}</h1>\n<p>New arrivals are in.</p>";
  await page.getByTestId("editor-html").fill(html);
  const frame = page.frameLocator("[data-testid=editor-preview-html]");
  await expect.poll(() => frame.locator("p").first().textContent()).toBe("New arrivals are in.");
  expect(await frame.locator("h1").textContent()).toBe("Hi Jane");
  expect(await page.getByTestId("editor-error-html").textContent()).toBe("");
  expect(await saved()).toMatchObject({ version: 1 });

  await page.getByTestId("editor-save").click();
  await expect
    .poll(() => page.getByTestId("editor-saved").textContent())
    .toBe("Saved as version 2.");
  expect(await saved()).toEqual({
    version: 2,
    subject: "Hello {{ contact.first_name | upcase }}",
    html,
  });
  const row = page.getByTestId("template-row");
  expect(await row.locator("td").nth(3).textContent()).toBe("2");
  expect(await page.getByTestId("editor-version").textContent()).toBe("v2");
  await page.screenshot({
    path: path.join(screenshots, "admin-template-editor.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

it("says FORBIDDEN when the key may read templates but not change them", async () => {
  const shop = await api.newShop();
  const { createTemplate } = await api.api.data(
    `mutation { createTemplate(input: { name: "Note", kind: MARKETING, subject: "Hi", html: "<p>Hi</p>" }) {
      __typename ... on MutationCreateTemplateSuccess { template { id } } } }`,
    {},
    shop.secretKey,
  );
  const readOnly = await shop.makeKey("SECRET", ["TEMPLATES_READ"]);
  const { page, errors } = await signIn(browser, ui.url, api.url, readOnly.key);
  await page.getByTestId("nav-templates").click();
  await page.getByTestId("template-edit-button").click();
  await expect.poll(() => page.getByTestId("editor-preview-subject").textContent()).toBe("Hi");
  await page.getByTestId("editor-subject").fill("Hello");
  await expect.poll(() => page.getByTestId("editor-preview-subject").textContent()).toBe("Hello");
  await page.getByTestId("editor-save").click();
  await expect.poll(() => page.getByTestId("editor-status").textContent()).toContain("FORBIDDEN");
  const { template } = await api.api.data(
    "query($id: ID!) { template(id: $id) { version subject } }",
    { id: createTemplate.template.id },
    shop.secretKey,
  );
  expect(template).toEqual({ version: 1, subject: "Hi" });
  expect(errors).toEqual([]);
});
