import { readFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { readAdminUiConfig } from "./config.ts";

/** Options of `startAdminUi`. */
export interface AdminUiOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** A running admin UI. */
export interface RunningAdminUi {
  url: string;
  close(): Promise<void>;
}

const publicDir = new URL("./public/", import.meta.url);
const staticFiles: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/styles.css": { file: "styles.css", type: "text/css; charset=utf-8" },
};

/** The browser code (`src/main.ts` and what it imports) as one ES module, with a source map. */
async function bundleBrowserCode(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./src/main.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: "inline",
    write: false,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  return output.text;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer) {
  response.writeHead(status, {
    "Content-Type": type,
    "Cache-Control": "no-store",
    // The pages talk to whichever API URL the user pastes, so connect-src stays open.
    "Content-Security-Policy":
      "default-src 'self'; connect-src *; frame-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'",
  });
  response.end(body);
}

/**
 * Serves the admin UI: `index.html`, `styles.css`, and `app.js` (the TypeScript in `src/`,
 * bundled once at start with esbuild). The page itself calls the Cartwheel API the user signs
 * in to, straight from the browser (Cartwheel's GraphQL endpoint answers CORS).
 *
 * @example const ui = await startAdminUi({ port: 0 }); console.log(ui.url); await ui.close();
 */
export async function startAdminUi(options: AdminUiOptions = {}): Promise<RunningAdminUi> {
  const appJs = await bundleBrowserCode();
  const server = createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? "/", "http://admin").pathname;
      if (path === "/app.js") return send(response, 200, "text/javascript; charset=utf-8", appJs);
      const asset = staticFiles[path];
      if (asset)
        return send(response, 200, asset.type, await readFile(new URL(asset.file, publicDir)));
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
  const ui = await startAdminUi(readAdminUiConfig());
  console.log(`Cartwheel admin UI on ${ui.url}`);
}
