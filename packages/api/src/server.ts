import { createServer } from "node:http";
import { makeApp } from "./app.ts";
import { serverConfig } from "./config.ts";
import { disconnectDatabase } from "./db.ts";

const config = serverConfig();
const app = makeApp(config);
const server = createServer(app);

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`cartwheel api: GraphQL and GraphiQL at http://localhost:${port}/graphql`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`cartwheel api: ${signal}, closing`);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await disconnectDatabase();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
