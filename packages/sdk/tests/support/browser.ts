import { readFileSync } from "node:fs";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { CartwheelOptions } from "../../src/options";
import type { WireEvent } from "../../src/wire";
import { startTestServer, type TestServer } from "./test-server";

/** A desktop Chrome user agent: the default one says HeadlessChrome, which the SDK treats as a bot. */
export const DESKTOP_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
/** The loader snippet exactly as documented in the README. */
export const README_SNIPPET =
  /<!-- snippet -->\s*```html\s*<script>([\s\S]*?)<\/script>/.exec(readme)?.[1] ?? "";

export interface ShopPageOptions {
  /** Options for `init`; `writeKey` and `apiUrl` default to the test API. */
  init?: Partial<CartwheelOptions>;
  /** Load the bundle with the README snippet instead of a plain script tag. */
  snippet?: boolean;
  /** Script run after `init` (or, with the snippet, right after the stub is set up). */
  script?: string;
  title?: string;
  body?: string;
  /** Runs in the page before any of its scripts (e.g. to fake browser settings). */
  initScript?: string;
}

/** Test defaults: quick batches and retries, exit intent without a quiet period. */
export const FAST_OPTIONS: Partial<CartwheelOptions> = {
  flushIntervalMs: 150,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 2000,
  exitIntent: { quietPeriodMs: 0 },
};

/** The HTML of a test page that loads the SDK and calls `init`. */
export function shopPageHtml(server: TestServer, options: ShopPageOptions = {}): string {
  const init = JSON.stringify({
    writeKey: "pk_test",
    apiUrl: server.apiUrl,
    ...FAST_OPTIONS,
    ...options.init,
  });
  const loader = options.snippet
    ? `<script>${README_SNIPPET.replace("https://cdn.example.com/cartwheel.iife.js", "/cartwheel.iife.js").replace(/cartwheel\.init\([\s\S]*?\);/, `cartwheel.init(${init});`)}</script>`
    : `<script src="/cartwheel.iife.js"></script><script>cartwheel.init(${init});</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${options.title ?? "Test shop"}</title>
${loader}<script>${options.script ?? ""}</script></head>
<body style="height:3000px">${options.body ?? "<h1>Shop</h1>"}</body></html>`;
}

/**
 * Polls `check` until it returns a truthy value, failing after `timeoutMs` (15 s: a page on a
 * CI machine whose two cores run other suites took over 5 s to send four page views).
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  description = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers hooks for a browser test file: one Chromium for the file, and for each test a fresh
 * server pair and browser context. `open` serves a page and navigates a new tab to it.
 */
export function useBrowser() {
  let browser: Browser;
  const harness = {
    server: undefined as unknown as TestServer,
    pageErrors: [] as string[],
    /** Accepted events with this name, in the order they arrived. */
    eventsNamed: (name: string): WireEvent[] =>
      harness.server.acceptedEvents().filter((event) => event.event === name),
    /** Waits until at least `count` events with this name were accepted. */
    waitForEvents: (name: string, count = 1): Promise<WireEvent[]> =>
      waitFor(
        () => (harness.eventsNamed(name).length >= count ? harness.eventsNamed(name) : undefined),
        15_000,
        `${count} × ${name}`,
      ),
    async open(
      options: ShopPageOptions = {},
      contextOptions: BrowserContextOptions = {},
      path = "/",
    ): Promise<Page> {
      harness.server.setPage(path, shopPageHtml(harness.server, options));
      const context = await browser.newContext({
        userAgent: DESKTOP_USER_AGENT,
        ...contextOptions,
      });
      if (options.initScript) await context.addInitScript(options.initScript);
      const page = await context.newPage();
      page.on("pageerror", (error) => harness.pageErrors.push(error.message));
      await page.goto(harness.server.shopUrl + path);
      return page;
    },
  };
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    harness.server = await startTestServer();
    harness.pageErrors = [];
  });
  afterEach(async () => {
    for (const context of browser.contexts()) await context.close();
    await harness.server.close();
  });
  return harness;
}
