import { randomBytes } from "node:crypto";
import { prepareDatabase } from "@cartwheel/api/platform";
import pg from "pg";

/**
 * A fresh, migrated database for one benchmark on the server DATABASE_URL names, dropped by
 * `drop()`. Benchmarks never touch the data of the database they were pointed at.
 */
export async function createBenchDatabase(label: string) {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error("DATABASE_URL is not set; run benchmarks with `npm run bench`.");
  const name = `cw_bench_${label}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  await prepareDatabase(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
