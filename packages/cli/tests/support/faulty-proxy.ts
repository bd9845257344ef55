import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the proxy does with one request: pass it on, answer 500 without passing it on
 * (`refuse`), pass it on and answer 500 anyway, as when the answer is lost (`lose answer`), or
 * pass it on and never answer (`hold answer`; `held` resolves once the API has answered).
 */
export type Fault = "refuse" | "lose answer" | "hold answer" | null;

/**
 * An HTTP proxy in front of the API that fails the requests `fault` picks (it sees each
 * request's GraphQL operation name and a running count of that operation), so failures are
 * real HTTP failures and the client under test is not mocked.
 */
export async function startFaultyProxy(target: string) {
  const counts = new Map<string, number>();
  let fault: (operation: string, count: number) => Fault = () => null;
  let releaseHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(
      (JSON.parse(body.toString() || "{}") as { query?: string }).query ?? "",
    )?.[1];
    const count = (counts.get(operation ?? "") ?? 0) + 1;
    counts.set(operation ?? "", count);
    const chosen = fault(operation ?? "", count);
    if (chosen === "refuse") {
      response.writeHead(500, { "content-type": "text/plain" });
      return response.end("internal error");
    }
    const forwarded = await fetch(`${target}${request.url ?? "/"}`, {
      method: request.method ?? "POST",
      headers: {
        "content-type": request.headers["content-type"] ?? "application/json",
        authorization: request.headers.authorization ?? "",
      },
      body: new Uint8Array(body),
    });
    const answer = Buffer.from(await forwarded.arrayBuffer());
    if (chosen === "hold answer") return releaseHeld();
    if (chosen === "lose answer") {
      response.writeHead(500, { "content-type": "text/plain" });
      return response.end("internal error");
    }
    response.writeHead(forwarded.status, {
      "content-type": forwarded.headers.get("content-type") ?? "application/json",
    });
    response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Calls of one operation so far, e.g. `ImportProducts`. */
    calls: (operation: string) => counts.get(operation) ?? 0,
    /** Resolves when a `hold answer` request has been answered by the API (and not passed on). */
    held,
    setFault(next: (operation: string, count: number) => Fault) {
      fault = next;
    },
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
