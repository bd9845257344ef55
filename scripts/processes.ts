import { type ChildProcess, spawn } from "node:child_process";
import cluster, { type Worker as ClusterWorker } from "node:cluster";
import path from "node:path";
import { z } from "zod";

const repoRoot = path.resolve(import.meta.dirname, "..");

/**
 * How many of each process to run: `CARTWHEEL_API_PROCESSES` and `CARTWHEEL_WORKERS`, 1 each
 * by default. Either may be 0 (a machine of API processes only, or of workers only), not both.
 */
export const processCounts = z
  .object({
    CARTWHEEL_API_PROCESSES: z.coerce.number().int().min(0).max(64).default(1),
    CARTWHEEL_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  })
  .refine((env) => env.CARTWHEEL_API_PROCESSES + env.CARTWHEEL_WORKERS > 0, {
    message: "CARTWHEEL_API_PROCESSES and CARTWHEEL_WORKERS cannot both be 0",
    path: ["CARTWHEEL_WORKERS"],
  })
  .transform((env) => ({
    apiProcesses: env.CARTWHEEL_API_PROCESSES,
    workers: env.CARTWHEEL_WORKERS,
  }));

export interface ProcessOptions {
  apiProcesses: number;
  workers: number;
  /** The environment of every child (DATABASE_URL, PORT, …). */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Called once when a child exits while nothing asked it to stop. */
  onUnexpectedExit: (name: string, reason: string) => void;
  /** How long a child may take to finish what it is doing after SIGTERM. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface RunningProcesses {
  /** SIGTERM to every child, SIGKILL to those still running after the timeout. */
  stop(): Promise<void>;
}

type Child = { name: string; process: ChildProcess };

/**
 * Runs `apiProcesses` API servers and `workers` worker processes against one Postgres.
 * The API processes are node:cluster workers of this process and share one port: the primary
 * accepts each connection and hands it to the next one in turn, so no proxy is needed in front
 * of one machine. Worker processes are plain children; graphile-worker lets any number of them
 * take jobs from the same queue. A child that exits unasked is reported to `onUnexpectedExit`
 * (the caller stops everything and exits non-zero: a crash is a bug to see, and restarting is
 * the job of the service manager around us, which knows the restart budget).
 *
 * @example const running = startProcesses({ apiProcesses: 2, workers: 2, env, log, onUnexpectedExit })
 */
export function startProcesses(options: ProcessOptions): RunningProcesses {
  const children: Child[] = [];
  let stopping = false;
  const watch = (name: string, child: ChildProcess) => {
    children.push({ name, process: child });
    child.once("exit", (code, signal) => {
      if (!stopping) options.onUnexpectedExit(name, String(signal ?? code));
    });
  };

  cluster.setupPrimary({
    exec: path.join(repoRoot, "packages/api/src/server.ts"),
    execArgv: ["--import", "tsx"],
    cwd: repoRoot,
  });
  for (let i = 1; i <= options.apiProcesses; i++) {
    const worker: ClusterWorker = cluster.fork(options.env);
    watch(`api ${i}`, worker.process);
  }
  for (let i = 1; i <= options.workers; i++) {
    const child = spawn(process.execPath, ["--import", "tsx", "packages/worker/src/main.ts"], {
      cwd: repoRoot,
      env: options.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    watch(`worker ${i}`, child);
  }
  options.log(`running ${options.apiProcesses} API process(es) and ${options.workers} worker(s)`);

  return {
    async stop() {
      stopping = true;
      const timeoutMs = options.stopTimeoutMs ?? 10_000;
      await Promise.all(
        children.map(
          ({ name, process: child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
              setTimeout(() => {
                if (child.exitCode !== null || child.signalCode !== null) return;
                options.log(`${name} did not stop within ${timeoutMs} ms; killing it`);
                child.kill("SIGKILL");
              }, timeoutMs).unref();
            }),
        ),
      );
    },
  };
}
