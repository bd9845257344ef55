import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { databaseConfig } from "./config.ts";
import { type Prisma, PrismaClient } from "./generated/prisma/client.ts";

function makeDatabase() {
  const { url, poolSize } = databaseConfig();
  // JIT compilation costs ~400 ms on queries the planner prices high (the reports' laterals)
  // and buys nothing for short statements: every statement here is one of those.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: "-c jit=off" });
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

/**
 * The `pg` pool under `db()`, for single raw statements on hot paths where it is measurably
 * faster (named prepared statements). Never for transactions: those go through
 * `withTransaction`, so every write can join a caller's transaction.
 */
export function pool(): pg.Pool {
  return getDatabase().pool;
}

/**
 * What every domain function that reads or writes runs its statements on: a transaction
 * (inside `withTransaction`) or the client itself, for reads and single statements.
 */
export type Executor = Prisma.TransactionClient;

/** An open transaction. Write actions that take one run inside it and commit with the caller. */
export type Transaction = Executor;

export interface TransactionOptions {
  /** Join this transaction instead of opening one: the work commits or rolls back with it. */
  tx?: Transaction | undefined;
  /** Longest the transaction may run, in ms. Default 30,000. */
  timeoutMs?: number;
  /** Longest to wait for a connection, in ms. Default 10,000. */
  maxWaitMs?: number;
}

/**
 * Runs `work` in a transaction: the caller's (`options.tx`), so several actions compose into
 * one commit, or a new one that commits when `work` resolves and rolls back when it throws.
 *
 * @example await withTransaction(async (tx) => { await tagContacts(workspaceId, input, tx); await addJob(tx, …) })
 */
export function withTransaction<T>(
  work: (tx: Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  if (options.tx) return work(options.tx);
  return db().$transaction(work, {
    timeout: options.timeoutMs ?? 30_000,
    maxWait: options.maxWaitMs ?? 10_000,
  });
}

/** Closes the pool; the next use opens a new one. */
export async function disconnectDatabase(): Promise<void> {
  if (!database) return;
  const { prisma: client, pool: current } = database;
  database = undefined;
  await client.$disconnect();
  await current.end();
}

/**
 * Whether `error` is a unique-constraint violation (Postgres 23505), however it reached us:
 * a Prisma model call (P2002), a raw query through Prisma, or `pg` itself.
 */
export function isUniqueViolation(error: unknown): boolean {
  const fields = error as { code?: unknown; meta?: { code?: unknown }; cause?: unknown } | null;
  if (!fields || typeof fields !== "object") return false;
  if (fields.code === "P2002" || fields.code === "23505") return true;
  if (fields.code === "P2010" && fields.meta?.code === "23505") return true;
  return fields.cause !== undefined && fields.cause !== error && isUniqueViolation(fields.cause);
}
