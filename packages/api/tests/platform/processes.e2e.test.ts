import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/platform/free-port.ts";
import { testAdminKey } from "../support/index.ts";

/**
 * `npm start` with CARTWHEEL_API_PROCESSES=2 and CARTWHEEL_WORKERS=2 against this file's
 * database: four children, one port, a graceful stop of all, and a crash that stops all.
 */

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const started: ChildProcess[] = [];
let dataDir = "";

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The API and worker processes `parent` runs, by their entry file. */
function childrenOf(parent: number): { api: number[]; worker: number[] } {
  let listing = "";
  try {
    listing = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(parent)], {
      encoding: "utf8",
    });
  } catch {
    // ps exits 1 when the process has no children.
  }
  const rows = listing
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 1);
  const pidsRunning = (entry: string) =>
    rows.filter((fields) => fields.some((arg) => arg.endsWith(entry))).map((f) => Number(f[0]));
  return { api: pidsRunning("api/src/server.ts"), worker: pidsRunning("worker/src/main.ts") };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startScaledPlatform(port: number) {
  dataDir ||= await mkdtemp(path.join(os.tmpdir(), "cartwheel-processes-"));
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      CARTWHEEL_API_PROCESSES: "2",
      CARTWHEEL_WORKERS: "2",
      CARTWHEEL_ADMIN_KEY: testAdminKey,
      CARTWHEEL_DATA_DIR: dataDir,
      CARTWHEEL_SES_PORT: "0",
      PORT: String(port),
      WORKER_CONCURRENCY: "2",
      WORKER_EMAIL_FAST_LANE_CONCURRENCY: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  const count = (text: string) => output.split(text).length - 1;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (count("cartwheel api: GraphQL") === 2 && count("cartwheel worker: running") === 2) {
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited early (${code}):\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, exited, output: () => output };
}

describe("npm start with two API processes and two workers", () => {
  it("serves on one port from two API processes and stops all four children on SIGTERM", async () => {
    const port = await freePort();
    const platform = await startScaledPlatform(port);
    const children = childrenOf(platform.child.pid!);
    expect(children.api).toHaveLength(2);
    expect(children.worker).toHaveLength(2);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`).then((r) => r.status),
      ),
    );
    expect(answers.every((status) => status === 200)).toBe(true);

    platform.child.kill("SIGTERM");
    expect(await platform.exited).toBe(0);
    expect(platform.output()).toContain("cartwheel worker: SIGTERM, finishing jobs in flight");
    for (const pid of [...children.api, ...children.worker]) expect(alive(pid)).toBe(false);
  }, 120_000);

  it("stops everything and exits 1 when one API process crashes", async () => {
    const platform = await startScaledPlatform(await freePort());
    const children = childrenOf(platform.child.pid!);
    const [crashing, ...others] = children.api;
    process.kill(crashing!, "SIGKILL");
    expect(await platform.exited).toBe(1);
    expect(platform.output()).toMatch(/api \d exited \(SIGKILL\); stopping everything/);
    for (const pid of [...others, ...children.worker]) expect(alive(pid)).toBe(false);
  }, 120_000);
});
