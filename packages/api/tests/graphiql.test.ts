import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeApp } from "../src/app.ts";
import { chromiumLaunchOptions } from "./support/chromium.ts";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";

const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");
let server: ReturnType<typeof serve>;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  server = serve({ fetch: makeApp({ adminKey: testAdminKey }).fetch, port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Replaces the text of GraphiQL's editor whose model URI ends in `model` (its Monaco editors). */
async function replaceEditorText(page: Page, model: string, text: string) {
  await page.locator(`.monaco-editor[data-uri$="${model}"]`).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

it("serves GraphiQL with no internet: every asset from the API itself", async () => {
  const shop = await createTestWorkspace(makeTestApi());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const outside: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1")
      return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/graphql`);
  await page.locator(".graphiql-container").first().waitFor();
  expect(await page.title()).toBe("Cartwheel GraphQL");
  // The headers pane is open with the Authorization line to fill in.
  await expect.poll(() => page.locator(".graphiql-editor-tool").textContent()).toContain("Bearer");

  // Type as a user would: the query, then the key into the headers pane.
  await replaceEditorText(page, "operation.graphql", "{ workspace { name } }");
  await replaceEditorText(
    page,
    "headers.json",
    JSON.stringify({ Authorization: `Bearer ${shop.secretKey}` }),
  );
  const answered = page.waitForResponse(
    async (response) =>
      response.url().endsWith("/graphql") &&
      response.request().method() === "POST" &&
      (response.request().postData() ?? "").includes("workspace"),
  );
  await page.locator(".graphiql-execute-button").click();
  const response = await answered;
  expect(await response.json()).toEqual({ data: { workspace: { name: expect.any(String) } } });
  await expect
    .poll(() => page.locator(".graphiql-response").textContent())
    .toContain('"workspace"');
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "graphiql.png") });
  expect(outside).toEqual([]);
  await context.close();
}, 60_000);
