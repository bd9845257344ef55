import { serve } from "@hono/node-server";
import { makeApp } from "./app.ts";
import { apiServerSections, ConfigError, loadConfig, serverConfig } from "./config.ts";
import { disconnectDatabase } from "./db.ts";

try {
  loadConfig(apiServerSections);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`cartwheel api: ${error.message}`);
  process.exit(1);
}
const config = serverConfig();
const app = makeApp(config);
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(`cartwheel api: GraphQL and GraphiQL at http://localhost:${info.port}/graphql`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`cartwheel api: ${signal}, closing`);
  // Requests in flight finish (for up to 5 s); idle keep-alive connections close now.
  const closed = new Promise((resolve) => server.close(resolve));
  if ("closeIdleConnections" in server) server.closeIdleConnections();
  const cutOff = setTimeout(() => {
    if ("closeAllConnections" in server) server.closeAllConnections();
  }, 5_000);
  await closed;
  clearTimeout(cutOff);
  await app.close();
  await disconnectDatabase();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
