import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { clusterDirectory, rootClusterHome, startEmbeddedPostgres } from "./embedded-postgres.ts";
import { freePort } from "./free-port.ts";

describe("the embedded Postgres under root", () => {
  const made: string[] = [];
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it("keeps a directory others can reach, and moves one they cannot", async () => {
    const reachable = path.join(os.tmpdir(), "cartwheel-reachable", "postgres");
    expect(await clusterDirectory(reachable, true)).toBe(reachable);
    const closed = await mkdtemp(path.join(os.tmpdir(), "cartwheel-closed-")); // mode 0700
    made.push(closed);
    const moved = await clusterDirectory(path.join(closed, "postgres"), true);
    expect(path.dirname(moved)).toBe(rootClusterHome);
    expect(moved).toBe(await clusterDirectory(path.join(closed, "postgres"), true));
    expect(await clusterDirectory(path.join(closed, "postgres"), false)).toBe(
      path.join(closed, "postgres"),
    );
  });

  it.runIf(process.getuid?.() === 0)(
    "starts from a mktemp -d folder the postgres user cannot enter, and says where it went",
    async () => {
      const closed = await mkdtemp(path.join(os.tmpdir(), "cartwheel-closed-"));
      made.push(closed);
      const notices: string[] = [];
      const postgres = await startEmbeddedPostgres({
        dataDir: path.join(closed, "postgres"),
        port: await freePort(),
        throwaway: true,
        onNotice: (line) => notices.push(line),
      });
      try {
        const client = new pg.Client({ connectionString: postgres.url("postgres") });
        await client.connect();
        const { rows } = await client.query("SELECT 1 AS one");
        await client.end();
        expect(rows).toEqual([{ one: 1 }]);
        expect(notices.join("\n")).toContain(rootClusterHome);
      } finally {
        await postgres.stop();
      }
    },
    120_000,
  );
});
