/**
 * `npm start`: the whole platform on one machine. Uses the Postgres DATABASE_URL names, or
 * starts an embedded one with its data in `.data/postgres`; applies migrations; starts the
 * local SES API unless SES_REGION asks for real SES; then runs the API and worker processes
 * (`CARTWHEEL_API_PROCESSES`, `CARTWHEEL_WORKERS`, 1 each by default; see `processes.ts`).
 * Ctrl-C stops everything and leaves no process behind; a child that crashes stops everything
 * with exit code 1.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import path from "node:path";
import { apiServerSections, checkConfig } from "@cartwheel/api/config";
import { ensureDatabase, prepareDatabase, startEmbeddedPostgres } from "@cartwheel/api/platform";
import { loadWorkerConfig } from "@cartwheel/worker";
import localSesModule from "aws-ses-v2-local";
import { z } from "zod";
import { processCounts, type RunningProcesses, startProcesses } from "./processes.ts";

const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    CARTWHEEL_DATA_DIR: z.string().default(".data"),
    CARTWHEEL_ADMIN_KEY: z.string().min(24).optional(),
    CARTWHEEL_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    CARTWHEEL_SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
    SES_REGION: z.string().optional(),
  })
  .parse(process.env);
const counts = processCounts.parse(process.env);

// aws-ses-v2-local is CommonJS with an ES-style default export.
const startLocalSes =
  (localSesModule as unknown as { default?: typeof localSesModule }).default ?? localSesModule;
const repoRoot = path.resolve(import.meta.dirname, "..");
const dataDir = path.resolve(repoRoot, env.CARTWHEEL_DATA_DIR);
const cleanups: (() => Promise<void>)[] = [];
const log = (line: string) => console.log(`cartwheel: ${line}`);

async function adminKey(): Promise<{ key: string; created: boolean }> {
  if (env.CARTWHEEL_ADMIN_KEY) return { key: env.CARTWHEEL_ADMIN_KEY, created: false };
  const file = path.join(dataDir, "admin-key");
  if (existsSync(file)) return { key: (await readFile(file, "utf8")).trim(), created: false };
  const key = `cw_admin_${randomBytes(24).toString("base64url")}`;
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}

async function database(): Promise<string> {
  if (env.DATABASE_URL) {
    log("using the Postgres that DATABASE_URL names");
    return env.DATABASE_URL;
  }
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, "postgres"),
    port: env.CARTWHEEL_POSTGRES_PORT,
    onNotice: log,
  });
  cleanups.push(() => postgres.stop());
  await ensureDatabase(postgres.url("postgres"), "cartwheel");
  return postgres.url("cartwheel");
}

async function sesEnvironment(): Promise<Record<string, string>> {
  if (env.SES_REGION) return {};
  const server: Server = await startLocalSes({ host: "127.0.0.1", port: env.CARTWHEEL_SES_PORT });
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.CARTWHEEL_SES_PORT;
  return {
    SES_ENDPOINT: `http://127.0.0.1:${port}`,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
}

let stopping = false;
let running: RunningProcesses | undefined;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping");
  await running?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  log("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  await mkdir(dataDir, { recursive: true });
  const databaseUrl = await database();
  const applied = await prepareDatabase(databaseUrl);
  log(applied.length ? `applied migrations ${applied.join(", ")}` : "database is up to date");
  const admin = await adminKey();
  const ses = await sesEnvironment();
  const childEnv = {
    ...process.env,
    ...ses,
    DATABASE_URL: databaseUrl,
    CARTWHEEL_ADMIN_KEY: admin.key,
    PORT: String(env.PORT),
    CARTWHEEL_PUBLIC_URL: process.env.CARTWHEEL_PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  };
  // Both children validate their environment at boot; checking it here first reports every
  // problem at once, before anything starts.
  const problems = checkConfig(apiServerSections, childEnv);
  if (problems.length > 0) throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  loadWorkerConfig(childEnv);
  running = startProcesses({
    ...counts,
    env: childEnv,
    log,
    onUnexpectedExit(name, reason) {
      log(`${name} exited (${reason}); stopping everything`);
      void stop(1);
    },
  });

  log(`GraphQL API and GraphiQL  http://localhost:${env.PORT}/graphql`);
  if (ses.SES_ENDPOINT) log(`local SES inbox            ${ses.SES_ENDPOINT}/`);
  else log(`email goes through Amazon SES in ${env.SES_REGION}`);
  log(`Postgres                  ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}`);
  log(
    admin.created
      ? `root admin key (new, kept in ${path.relative(repoRoot, dataDir)}/admin-key): ${admin.key}`
      : `root admin key: ${env.CARTWHEEL_ADMIN_KEY ? "from CARTWHEEL_ADMIN_KEY" : `in ${path.relative(repoRoot, dataDir)}/admin-key`}`,
  );
  log("press Ctrl-C to stop");
} catch (error) {
  console.error(error);
  await stop(1);
}
