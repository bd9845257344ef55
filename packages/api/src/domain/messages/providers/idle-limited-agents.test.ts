import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idleLimitedAgents } from "./idle-limited-agents.ts";

let server: Server;
let url: string;

beforeAll(async () => {
  // Answers after `?wait=` ms; keeps idle connections far longer than the agents do.
  server = createServer((req, res) => {
    const wait = Number(new URL(req.url ?? "/", "http://x").searchParams.get("wait") ?? 0);
    setTimeout(() => res.end("ok"), wait);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function get(agent: ReturnType<typeof idleLimitedAgents>["httpAgent"], path = "/") {
  return new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ body, reused: req.reusedSocket }));
    });
    req.on("error", reject);
    req.end();
  });
}

const freeSockets = (agent: { freeSockets: Record<string, unknown[] | undefined> }) =>
  Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);

async function until(check: () => boolean, ms = 2_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("idleLimitedAgents", () => {
  it("reuses a connection while it is fresh and closes it once idle, before the server would", async () => {
    const { httpAgent } = idleLimitedAgents({ maxSockets: 2 }, 80);
    expect((await get(httpAgent)).reused).toBe(false);
    expect((await get(httpAgent)).reused).toBe(true);
    expect(freeSockets(httpAgent)).toBe(1);
    await until(() => freeSockets(httpAgent) === 0);
    expect((await get(httpAgent)).reused).toBe(false);
    httpAgent.destroy();
  });

  it("never closes a connection that is in use, however long the answer takes", async () => {
    const { httpAgent } = idleLimitedAgents({ maxSockets: 1 }, 30);
    await get(httpAgent);
    const slow = await get(httpAgent, "/?wait=200");
    expect(slow).toEqual({ body: "ok", reused: true });
    httpAgent.destroy();
  });
});
