import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** A product process as `npm start` runs it, its output kept; `started` once `ready` shows. */
export function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
) {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env, NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const started = new Promise<RegExpExecArray>((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      log += chunk.toString();
      const match = ready.exec(log);
      if (match) resolve(match);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("exit", (code, signal) =>
      reject(new Error(`${name} exited before it was ready (${code ?? signal}): ${log}`)),
    );
  });
  started.catch(() => {});
  return { child, started, log: () => log };
}

export type StartedProcess = ReturnType<typeof startProcess>;

/**
 * The API server (`packages/api/src/server.ts`) on a free loopback port; `started` resolves
 * with the port in `[1]`. The ingest rate limit is lifted: the suites measure the pipeline.
 */
export function startApiProcess(databaseUrl: string, adminKey: string): StartedProcess {
  return startProcess(
    "api",
    "packages/api/src/server.ts",
    {
      DATABASE_URL: databaseUrl,
      CARTWHEEL_ADMIN_KEY: adminKey,
      PORT: "0",
      HOST: "127.0.0.1",
      CARTWHEEL_INGEST_RATE_PER_SECOND: "100000",
      CARTWHEEL_INGEST_RATE_BURST: "100000",
    },
    /http:\/\/localhost:(\d+)\/graphql/,
  );
}

/** The worker (`packages/worker/src/main.ts`) with its default lanes, `concurrency` jobs at a time. */
export function startWorkerProcess(databaseUrl: string, concurrency = 10): StartedProcess {
  return startProcess(
    "worker",
    "packages/worker/src/main.ts",
    { DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: String(concurrency) },
    /cartwheel worker: running/,
  );
}

export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess) {
  if (!alive(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  await exited;
}
