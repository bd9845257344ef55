import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { databaseConfig } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";

function makeDatabase() {
  const { url, poolSize } = databaseConfig();
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection can be cut by the server (a restart, a dropped test database); the pool
  // replaces it on next use, so this must not crash the process.
  pool.on("error", (error) => console.error(`postgres: idle connection lost: ${error.message}`));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

let database: ReturnType<typeof makeDatabase> | undefined;

function getDatabase() {
  database ??= makeDatabase();
  return database;
}

/**
 * The process's Prisma client, over a `pg` pool it shares with the typed raw SQL of the hot
 * paths. Created on first use from `DATABASE_URL`.
 */
export function db(): PrismaClient {
  return getDatabase().prisma;
}

/** The `pg` pool under `prisma`, for raw SQL where it is measurably faster. */
export function pool(): pg.Pool {
  return getDatabase().pool;
}

export type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/** Closes the pool; the next use opens a new one. */
export async function disconnectDatabase(): Promise<void> {
  if (!database) return;
  const { prisma: client, pool: current } = database;
  database = undefined;
  await client.$disconnect();
  await current.end();
}
