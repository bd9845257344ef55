import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one request: answer 503, drop the connection, or pass it on. */
export type Fault = "503" | "drop" | null;

/**
 * An HTTP proxy in front of the API that fails the requests `fault` picks: real faults over
 * real HTTP, so the client's retry is tested without a mocked fetch.
 */
export async function startFaultyProxy(target: string, fault: (requestNumber: number) => Fault) {
  let count = 0;
  const server = createServer(async (request, response) => {
    count += 1;
    const body = await readBody(request);
    const chosen = fault(count);
    if (chosen === "drop") return request.socket.destroy();
    if (chosen === "503") {
      response.writeHead(503, { "content-type": "text/plain" });
      return response.end("unavailable");
    }
    const forwarded = await fetch(`${target}${request.url ?? "/"}`, {
      method: request.method ?? "POST",
      headers: {
        "content-type": request.headers["content-type"] ?? "application/json",
        authorization: request.headers.authorization ?? "",
      },
      body: new Uint8Array(body),
    });
    response.writeHead(forwarded.status, {
      "content-type": forwarded.headers.get("content-type") ?? "application/json",
    });
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
