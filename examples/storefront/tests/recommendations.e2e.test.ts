import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { makeApp } from "@cartwheel/api";
import {
  createApiKey,
  createWorkspace,
  db,
  disconnectDatabase,
  rebuildRecommendationGraphs,
  updateWorkspace,
} from "@cartwheel/api/domain";
import { chromiumLaunchOptions } from "@cartwheel/api/testing/chromium";
import { serve } from "@hono/node-server";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../catalog";
import { type RunningStorefront, startStorefront } from "../server";

/**
 * The "Frequently bought together" block: the storefront's server asks the real API (on a
 * loopback port, over Postgres) with a secret key, and Chromium shows what it rendered.
 */
const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");
let api: ReturnType<typeof serve>;
let apiUrl: string;
let workspaceId: string;
let writeKey: string;
let storefrontKey: string;
let browser: Browser;
/** The storefront with the secret key. */
let shop: RunningStorefront;
const shops: RunningStorefront[] = [];

async function graphql(query: string, variables: Record<string, unknown>, key: string) {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.json()) as { data?: Record<string, { __typename: string }> };
  if (!answer.data) throw new Error(`GraphQL failed: ${JSON.stringify(answer)}`);
  return answer.data;
}

async function openShop(options: { apiUrl?: string; secretKey?: string } = {}) {
  const shop = await startStorefront({
    apiUrl,
    writeKey,
    sdkOptions: { botUserAgentPattern: null, flushIntervalMs: 100 },
    ...options,
  });
  shops.push(shop);
  return shop;
}

/** A loopback URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  const app = makeApp({ adminKey: `cw_admin_${"fbt".repeat(10)}` });
  apiUrl = await new Promise<string>((resolve) => {
    api = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  workspaceId = (await createWorkspace({ name: "Cartwheel Outfitters" })).id;
  writeKey = (await createApiKey({ workspaceId, name: "storefront", kind: "PUBLIC" })).plaintext;
  storefrontKey = (
    await createApiKey({
      workspaceId,
      name: "storefront server",
      kind: "SECRET",
      scopes: ["recommendations:read", "catalog:read"],
    })
  ).plaintext;
  const backendKey = (await createApiKey({ workspaceId, name: "backend", kind: "SECRET" }))
    .plaintext;
  browser = await chromium.launch(chromiumLaunchOptions());

  // The shop's backend syncs its catalogue and orders: the tote and the shirt go together.
  const { upsertProducts } = await graphql(
    `mutation($input: UpsertProductsInput!) { upsertProducts(input: $input) { __typename } }`,
    {
      input: {
        products: catalog.map((product) => ({
          productId: product.product_id,
          title: product.name,
          sku: product.sku,
          brand: product.brand,
          category: product.category,
          price: product.price,
          currency: "EUR",
        })),
      },
    },
    backendKey,
  );
  expect(upsertProducts?.__typename).toBe("MutationUpsertProductsSuccess");
  const baskets = [
    ["canvas-tote", "linen-shirt"],
    ["canvas-tote", "linen-shirt"],
    ["canvas-tote", "linen-shirt"],
    ["wool-beanie", "trail-sneakers"],
    ["wool-beanie"],
  ];
  const { upsertOrders } = await graphql(
    `mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { __typename } }`,
    {
      input: {
        orders: baskets.map((basket, index) => {
          const lines = basket.map((id) => ({
            productId: id,
            price: catalog.find((product) => product.product_id === id)?.price,
          }));
          return {
            orderId: `order-${index}`,
            customer: { email: `buyer${index}@example.com` },
            orderedAt: new Date(Date.now() - (index + 1) * 3_600_000).toISOString(),
            lines,
            total: lines.reduce((sum, line) => sum + (line.price ?? 0), 0),
          };
        }),
      },
    },
    backendKey,
  );
  expect(upsertOrders?.__typename).toBe("MutationUpsertOrdersSuccess");
  await rebuildRecommendationGraphs(workspaceId);
  shop = await openShop({ secretKey: storefrontKey });
  await updateWorkspace(workspaceId, { allowedOrigins: [shop.url] });
});

afterAll(async () => {
  await browser?.close();
  for (const running of shops) await running.close();
  await new Promise((resolve) => api?.close(resolve));
  await disconnectDatabase();
});

describe("frequently bought together", () => {
  it("shows what was bought with the product first, priced from the API, and adds it to the cart", async () => {
    const html = await (await fetch(`${shop.url}/products/canvas-tote`)).text();
    expect(html).not.toContain(storefrontKey);

    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${shop.url}/products/canvas-tote`);
    const block = page.getByTestId("frequently-bought-together");
    await expect.poll(() => block.locator("h2").textContent()).toBe("Frequently bought together");
    const cards = block.locator(".card");
    expect(await cards.evaluateAll((all) => all.map((card) => card.dataset.testid))).toEqual([
      "recommended-linen-shirt",
      "recommended-wool-beanie",
      "recommended-trail-sneakers",
    ]);
    expect(await cards.evaluateAll((all) => all.map((card) => card.dataset.strategy))).toEqual([
      "frequently_bought_together",
      "bestsellers",
      "bestsellers",
    ]);
    const shirt = page.getByTestId("recommended-linen-shirt");
    expect(await shirt.locator(".name").textContent()).toBe("Linen Shirt");
    expect(await shirt.locator(".price").textContent()).toBe("€49.00");
    expect(await page.getByTestId("recommended-link-linen-shirt").getAttribute("href")).toBe(
      "/products/linen-shirt?cw_block=frequently_bought_together&cw_strategy=frequently_bought_together",
    );

    await mkdir(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "storefront-fbt.png"), fullPage: true });

    await page.getByTestId("recommended-add-linen-shirt").click();
    await expect.poll(() => page.getByTestId("cart-count").textContent()).toBe("1");
    await expect
      .poll(
        async () =>
          (await db().event.findMany({ where: { workspaceId, name: "Product Added" } })).map(
            (event) => event.properties as { product_id?: string; price?: number },
          ),
        { timeout: 15_000 },
      )
      .toEqual([expect.objectContaining({ product_id: "linen-shirt", price: 49 })]);

    await page.getByTestId("recommended-link-linen-shirt").click();
    await page.getByTestId("product-linen-shirt").waitFor();
    expect(new URL(page.url()).searchParams.get("cw_block")).toBe("frequently_bought_together");
    expect(await page.getByTestId("recommended-canvas-tote").getAttribute("data-strategy")).toBe(
      "frequently_bought_together",
    );
    expect(errors).toEqual([]);
  });

  it("recommends for the whole cart, leaving out what is in it", async () => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${shop.url}/products/linen-shirt`);
    await page.getByTestId("add-to-cart").click();
    await page.getByTestId("cart-link").click();
    const cards = page.getByTestId("frequently-bought-together").locator(".card");
    const shown = () => cards.evaluateAll((all) => all.map((card) => card.dataset.testid));
    await expect
      .poll(shown)
      .toEqual([
        "recommended-canvas-tote",
        "recommended-wool-beanie",
        "recommended-trail-sneakers",
      ]);
    await page.screenshot({
      path: path.join(screenshots, "storefront-fbt-cart.png"),
      fullPage: true,
    });

    await page.getByTestId("recommended-add-canvas-tote").click();
    await page.getByTestId("cart-item-canvas-tote").waitFor();
    await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("€68.00");
    await expect.poll(shown).toEqual(["recommended-wool-beanie", "recommended-trail-sneakers"]);
    expect(errors).toEqual([]);
  });

  it("shows no block without a secret key", async () => {
    const keyless = await openShop();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${keyless.url}/products/canvas-tote`);
    await page.getByTestId("product-canvas-tote").waitFor();
    expect(await page.getByTestId("frequently-bought-together").count()).toBe(0);
    const answer = await (await fetch(`${keyless.url}/recommendations?product=canvas-tote`)).json();
    expect(answer).toEqual({ html: "", products: [] });
  });

  it("renders the product page without the block when the API cannot answer", async () => {
    const down = await openShop({ apiUrl: await deadUrl(), secretKey: storefrontKey });
    const refused = await openShop({ secretKey: "sk_not_a_key" });
    for (const failing of [down, refused]) {
      const response = await fetch(`${failing.url}/products/canvas-tote`);
      expect(response.status).toBe(200);
      const forCart = await fetch(`${failing.url}/recommendations?product=canvas-tote`);
      expect(await forCart.json()).toEqual({ html: "", products: [] });
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${failing.url}/products/canvas-tote`);
      expect(await page.getByTestId("product-canvas-tote").locator("h1").textContent()).toBe(
        "Canvas Tote",
      );
      expect(await page.getByTestId("frequently-bought-together").count()).toBe(0);
    }
  });
});
