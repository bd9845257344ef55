import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { makeRateLimiter } from "../src/domain/events/rate-limit.ts";
import { createTestShop, shopOrigin, wireEvent } from "./support/events.ts";
import { makeTestApi, testAdminKey } from "./support/index.ts";

/**
 * The ingest rate limit holds across API processes: two limiters on pools of their own (as two
 * processes have), and two real API server processes, draw on one bucket per key.
 */

const api = makeTestApi();
const pools: pg.Pool[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(pools.map((pool) => pool.end()));
});

function ownPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  pools.push(pool);
  return pool;
}

async function workspaceRow() {
  const shop = await createTestShop(api);
  return { workspaceId: shop.id, keyId: randomUUID() };
}

it("shares one bucket per key between limiters on different connections, on one clock", async () => {
  let now = Date.parse("2026-06-01T10:00:00Z");
  const options = { ratePerSecond: 2, burst: 3, now: () => now };
  const first = makeRateLimiter({ ...options, database: ownPool() });
  const second = makeRateLimiter({ ...options, database: ownPool() });
  const key = await workspaceRow();
  const other = { ...key, keyId: randomUUID() };

  const burst = [first, second, first].map((limiter) => limiter.take(key));
  expect((await Promise.all(burst)).map((d) => d.allowed)).toEqual([true, true, true]);
  expect(await second.take(key)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(await first.take(key)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect((await second.take(other)).allowed).toBe(true);

  now += 500;
  expect((await second.take(key)).allowed).toBe(true);
  expect((await first.take(key)).allowed).toBe(false);

  now += 60_000;
  const refilled = [];
  for (const limiter of [first, second, first, second]) refilled.push(await limiter.take(key));
  expect(refilled.map((d) => d.allowed)).toEqual([true, true, true, false]);
});

it("admits exactly the burst when both limiters take at once", async () => {
  const now = Date.parse("2026-06-01T10:00:00Z");
  const options = { ratePerSecond: 1, burst: 25, now: () => now };
  const limiters = [ownPool(), ownPool()].map((pool) =>
    makeRateLimiter({ ...options, database: pool }),
  );
  const key = await workspaceRow();
  const decisions = await Promise.all(
    Array.from({ length: 80 }, (_, i) => limiters[i % 2]!.take(key)),
  );
  expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
});

it("says how long to wait when the rate is slow, and refuses a cost over the burst", async () => {
  const limiter = makeRateLimiter({ ratePerSecond: 0.1, burst: 1, now: () => 0 });
  const key = await workspaceRow();
  expect((await limiter.take(key)).allowed).toBe(true);
  expect(await limiter.take(key)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  expect(await limiter.take(key, 2)).toEqual({ allowed: false, retryAfterSeconds: 20 });
});

/** The real API server as a child process on a free port, with this file's database. */
async function startApiProcess(env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL("../src/server.ts", import.meta.url).pathname],
    {
      env: {
        ...process.env,
        ...env,
        CARTWHEEL_ADMIN_KEY: testAdminKey,
        PORT: "0",
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/localhost:(\d+)\/graphql/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => reject(new Error(`API server exited (${code}): ${output}`)));
  });
}

it("lets two API processes together accept no more than one key's burst", async () => {
  const burst = 5;
  // One token an hour: within this test only the burst can be admitted.
  const env = {
    CARTWHEEL_INGEST_RATE_PER_SECOND: String(1 / 3600),
    CARTWHEEL_INGEST_RATE_BURST: String(burst),
  };
  const servers = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  const shop = await createTestShop(api);
  const statuses: number[] = [];
  for (let i = 0; i < 4 * burst; i++) {
    const response = await fetch(`${servers[i % 2]}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: shopOrigin },
      body: JSON.stringify({ writeKey: shop.publicKey, batch: [wireEvent()] }),
    });
    statuses.push(response.status);
    await response.body?.cancel();
  }
  expect(statuses.filter((status) => status === 200)).toHaveLength(burst);
  expect(statuses.filter((status) => status === 429)).toHaveLength(3 * burst);
  expect(await db().event.count({ where: { workspaceId: shop.id } })).toBe(burst);
});
