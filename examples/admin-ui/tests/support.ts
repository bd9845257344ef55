import type { AddressInfo } from "node:net";
import { createTestWorkspace, makeTestApi } from "@cartwheel/api/testing";
import { chromiumLaunchOptions } from "@cartwheel/api/testing/chromium";
import { serve } from "@hono/node-server";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

/**
 * The real Cartwheel API on a random loopback port (in process, on this test file's own
 * database); `newShop` creates a workspace and a full-access secret key through GraphQL.
 */
export async function startApi() {
  const api = makeTestApi();
  const server = serve({ fetch: api.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    api,
    newShop: () => createTestWorkspace(api),
    /** Cuts every open connection (live streams included), as a restarting API or a flaky network would. */
    dropConnections: () => {
      if ("closeAllConnections" in server) server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Debian's Chromium (or CHROMIUM_PATH), with the flags the closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

/**
 * Opens the admin UI in a fresh context (en-US unless `context` says otherwise), pastes the
 * credentials and waits for the shell.
 */
export async function signIn(
  browser: Browser,
  uiUrl: string,
  apiUrl: string,
  secretKey: string,
  context: BrowserContextOptions = {},
) {
  const page = await (await browser.newContext({ locale: "en-US", ...context })).newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(uiUrl);
  await page.getByTestId("api-url").fill(apiUrl);
  await page.getByTestId("secret-key").fill(secretKey);
  await page.getByTestId("sign-in-submit").click();
  await page.getByTestId("nav-contacts").waitFor();
  return { page, errors };
}

/** The rows' `data-*` attribute values, in order. */
export function attributeValues(page: Page, testid: string, attribute: string) {
  return page
    .getByTestId(testid)
    .evaluateAll(
      (elements, name) => elements.map((element) => element.getAttribute(name)),
      attribute,
    );
}
