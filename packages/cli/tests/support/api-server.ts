import type { AddressInfo } from "node:net";
import { createTestWorkspace, makeTestApi } from "@cartwheel/api/testing";
import { serve } from "@hono/node-server";

/**
 * The real Cartwheel API on a random loopback port (in process, on this test file's own
 * database), with a fresh workspace and full-access secret key per call to `newShop`.
 */
export async function startApi() {
  const api = makeTestApi();
  const server = serve({ fetch: api.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    api,
    newShop: () => createTestWorkspace(api),
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TestServer = Awaited<ReturnType<typeof startApi>>;
