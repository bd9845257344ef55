import { spawn } from "node:child_process";
import path from "node:path";

/**
 * Runs the real API server as a child process on a free loopback port, so a benchmark's load
 * comes from a second process over HTTP, as in production.
 */
export async function startApiServer(options: {
  databaseUrl: string;
  adminKey: string;
  env?: Record<string, string>;
}) {
  const root = path.resolve(import.meta.dirname, "../..");
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the server there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, "--import", "tsx", "packages/api/src/server.ts"],
    {
      cwd: root,
      env: {
        ...process.env,
        ...options.env,
        DATABASE_URL: options.databaseUrl,
        CARTWHEEL_ADMIN_KEY: options.adminKey,
        PORT: "0",
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url: string = await new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/localhost:(\d+)\/graphql/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    });
    child.once("exit", (code) => reject(new Error(`API server exited early (${code}): ${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
