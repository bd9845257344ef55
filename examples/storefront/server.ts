import { readFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { findProduct } from "./catalog";
import { readStorefrontConfig } from "./config";
import {
  cartPage,
  checkoutPage,
  orderCompletePage,
  productListPage,
  productPage,
  recommendationBlock,
  type SdkSettings,
  specOf,
} from "./pages";
import { frequentlyBoughtTogether, type RecommendedProduct } from "./recommendations";

/** Options of `startStorefront`. */
export interface StorefrontOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base URL of the Cartwheel API the pages send events to. */
  apiUrl: string;
  /** The shop's public write key. */
  writeKey: string;
  /**
   * Extra options for the SDK's `init`, as JSON. Headless browser tests pass
   * `{ botUserAgentPattern: null }` (HeadlessChrome counts as a bot) or give their browser
   * context an ordinary user agent.
   */
  sdkOptions?: Record<string, unknown>;
  /**
   * A secret key with `recommendations:read` and `catalog:read`. With it, product pages show
   * a "Frequently bought together" block the server asks the API for; without it, no block.
   * It is used only by the server and never sent to the browser.
   */
  secretKey?: string;
}

/** A running storefront. */
export interface RunningStorefront {
  url: string;
  close(): Promise<void>;
}

const publicDir = new URL("./public/", import.meta.url);
const STATIC_FILES: Record<string, string> = {
  "/styles.css": "text/css; charset=utf-8",
  "/app.js": "text/javascript; charset=utf-8",
};

function send(response: ServerResponse, status: number, type: string, body: string | Buffer) {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  response.end(body);
}

async function sdkBundle(): Promise<Buffer | undefined> {
  try {
    return await readFile(fileURLToPath(import.meta.resolve("@cartwheel/sdk/cartwheel.iife.js")));
  } catch {
    return undefined;
  }
}

/**
 * Starts the demo shop on `host:port`, its pages loading the Cartwheel SDK's script-tag build
 * (`@cartwheel/sdk/cartwheel.iife.js`, so build the SDK first).
 * @example const shop = await startStorefront({ apiUrl, writeKey: "pk_test" }); await shop.close();
 */
export async function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  const sdk: SdkSettings = {
    apiUrl: options.apiUrl,
    writeKey: options.writeKey,
    options: options.sdkOptions,
  };
  const { secretKey } = options;
  /** At most four products; the page goes without the block when the API cannot answer. */
  const recommendationsFor = async (productIds: string[]): Promise<RecommendedProduct[]> => {
    if (!secretKey || productIds.length === 0) return [];
    try {
      return await frequentlyBoughtTogether({ apiUrl: options.apiUrl, secretKey }, productIds, 4);
    } catch (error) {
      console.warn(`Storefront: no recommendations for ${productIds.join(", ")}:`, String(error));
      return [];
    }
  };
  const html = (response: ServerResponse, body: string, status = 200) =>
    send(response, status, "text/html; charset=utf-8", body);

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://storefront");
      const path = url.pathname;
      const productId = /^\/products\/([\w-]+)$/.exec(path)?.[1];
      const staticType = STATIC_FILES[path];
      if (path === "/") return html(response, productListPage(sdk));
      if (path === "/cart") return html(response, cartPage(sdk));
      if (path === "/checkout") return html(response, checkoutPage(sdk));
      if (path === "/order-complete") return html(response, orderCompletePage(sdk));
      if (productId) {
        const product = findProduct(productId);
        if (product) {
          return html(response, productPage(sdk, product, await recommendationsFor([productId])));
        }
      }
      if (path === "/recommendations") {
        const inCart = url.searchParams.getAll("product").filter((id) => /^[\w-]{1,100}$/.test(id));
        const recommended = await recommendationsFor([...new Set(inCart)].slice(0, 50));
        return send(
          response,
          200,
          "application/json; charset=utf-8",
          JSON.stringify({
            html: recommendationBlock(recommended),
            products: recommended.map(specOf),
          }),
        );
      }
      if (staticType) {
        return send(response, 200, staticType, await readFile(new URL(`.${path}`, publicDir)));
      }
      if (path === "/cartwheel.iife.js") {
        const bundle = await sdkBundle();
        if (bundle) return send(response, 200, "text/javascript; charset=utf-8", bundle);
        return send(
          response,
          503,
          "text/plain",
          "Build the SDK first: npm run build -w @cartwheel/sdk",
        );
      }
      if (path === "/favicon.ico") return send(response, 204, "image/x-icon", "");
      send(response, 404, "text/plain; charset=utf-8", "Not found");
    } catch (error) {
      send(response, 500, "text/plain; charset=utf-8", String(error));
    }
  });

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = readStorefrontConfig();
  const storefront = await startStorefront(config);
  const recommendations = config.secretKey ? "on" : "off (no CARTWHEEL_SECRET_KEY)";
  console.log(
    `Storefront on ${storefront.url}, sending events to ${config.apiUrl}, recommendations ${recommendations}`,
  );
}
