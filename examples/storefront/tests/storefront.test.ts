import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromiumLaunchOptions } from "@cartwheel/api/testing/chromium";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningStorefront, startStorefront } from "../server";

interface RecordedEvent {
  messageId: string;
  event: string;
  userId?: string;
  properties: Record<string, unknown>;
}

/** A stand-in for the Cartwheel API that accepts and records every batch. */
async function startRecordingApi(): Promise<{
  url: string;
  events: RecordedEvent[];
  server: Server;
}> {
  const events: RecordedEvent[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const batch = (JSON.parse(body) as { batch: RecordedEvent[] }).batch;
      const known = new Set(events.map((event) => event.messageId));
      events.push(...batch.filter((event) => !known.has(event.messageId)));
      response.writeHead(200, { "Access-Control-Allow-Origin": "*" });
      response.end(JSON.stringify({ accepted: batch.length, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, server };
}

let api: Awaited<ReturnType<typeof startRecordingApi>>;
let shop: RunningStorefront;
let browser: Browser;

beforeAll(async () => {
  api = await startRecordingApi();
  shop = await startStorefront({
    apiUrl: api.url,
    writeKey: "pk_test",
    sdkOptions: {
      botUserAgentPattern: null,
      flushIntervalMs: 100,
      exitIntent: { quietPeriodMs: 0 },
    },
  });
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  api?.server.close();
});

describe("storefront", () => {
  it("injects the API URL and write key into its pages", async () => {
    const html = await (await fetch(shop.url)).text();
    expect(html).toContain(`"apiUrl":"${api.url}"`);
    expect(html).toContain(`"writeKey":"pk_test"`);
    expect((await fetch(`${shop.url}/cartwheel.iife.js`)).status).toBe(200);
    expect((await fetch(`${shop.url}/products/nope`)).status).toBe(404);
  });

  it("sends the e-commerce journey from product to order, and offers a discount on exit", async () => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(shop.url);
    await page.getByTestId("product-link-linen-shirt").click();
    await page.getByTestId("add-to-cart").click();
    await page.getByTestId("home-link").click();
    await page.getByTestId("add-to-cart-canvas-tote").click();
    await page.getByTestId("cart-link").click();
    await expect.poll(() => page.getByTestId("cart-count").textContent()).toBe("2");
    await page.getByTestId("remove-from-cart-canvas-tote").click();

    await page.mouse.move(300, 300);
    await page.mouse.move(300, -10, { steps: 4 });
    await page.getByTestId("exit-offer").waitFor({ state: "visible" });

    await page.getByTestId("checkout-link").click();
    await page.getByTestId("checkout-email").fill("ann@example.com");
    await page.getByTestId("checkout-submit").click();
    await expect.poll(() => page.getByTestId("order-id").textContent()).toMatch(/^ORD-/);

    await expect
      .poll(() => api.events.map((event) => event.event), { timeout: 5000 })
      .toEqual(expect.arrayContaining(["Order Completed", "Page Viewed"]));
    const named = (name: string) => api.events.filter((event) => event.event === name);
    const cartId = named("Product Added")[0]?.properties.cart_id;
    expect(named("Product Viewed")[0]?.properties).toMatchObject({ product_id: "linen-shirt" });
    expect(named("Product Added")).toHaveLength(2);
    for (const name of ["Product Removed", "Cart Viewed", "Checkout Started", "Exit Intent"]) {
      expect(named(name)[0]?.properties.cart_id).toBe(cartId);
    }
    expect(named("Identify")[0]?.userId).toBe("ann@example.com");
    expect(named("Order Completed")[0]).toMatchObject({
      userId: "ann@example.com",
      properties: { cart_id: cartId, total: 49, currency: "EUR" },
    });
    expect(errors).toEqual([]);
  });
});
