import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-unavailable.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { freePort } from "./platform/free-port.ts";

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );

describe("isDatabaseUnavailable", () => {
  it("knows a refused connection from pg and from Prisma", async () => {
    const url = `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`;
    const client = new pg.Client({ connectionString: url });
    expect(isDatabaseUnavailable(await caught(client.connect()))).toBe(true);

    const pool = new pg.Pool({ connectionString: url });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      expect(isDatabaseUnavailable(await caught(prisma.workspace.count()))).toBe(true);
    } finally {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    }
  });

  it("knows a connection the server terminated, and not a statement that failed", async () => {
    const url = process.env.DATABASE_URL ?? "";
    const victim = new pg.Client({ connectionString: url });
    victim.on("error", () => {});
    await victim.connect();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const slow = caught(victim.query("SELECT pg_sleep(5)"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
      expect(isDatabaseUnavailable(await slow)).toBe(true);

      expect(isDatabaseUnavailable(await caught(admin.query("SELECT 1/0")))).toBe(false);
      expect(isDatabaseUnavailable(await caught(admin.query("SELECT * FROM no_such")))).toBe(false);
      expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
      expect(isDatabaseUnavailable(null)).toBe(false);
    } finally {
      await admin.end();
      await victim.end().catch(() => {});
    }
  });
});
