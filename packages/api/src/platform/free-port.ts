import { createServer } from "node:net";

/**
 * A loopback port nothing listens on right now (the OS picks it), for a server started next.
 *
 * @example const port = await freePort() // → 41923
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
