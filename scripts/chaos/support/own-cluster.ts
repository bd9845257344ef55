import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import {
  clusterDirectory,
  ensureDatabase,
  freePort,
  prepareDatabase,
  type RunningPostgres,
  startEmbeddedPostgres,
} from "@cartwheel/api/platform";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/**
 * A suite's own embedded Postgres cluster on a free port, with a migrated `cartwheel` database:
 * stopping it, or loading it for minutes, disturbs nobody else's server. `stop` and `start`
 * keep the data directory (a restart); `kill` cuts it off as a power cut would (the next `start`
 * runs crash recovery); `remove` stops it and deletes the directory.
 *
 * @example const cluster = await startOwnCluster("chaos-postgres"); … await cluster.remove()
 */
export async function startOwnCluster(label: string) {
  const dataDir = path.join(repoRoot, ".data", `${label}-${process.pid}`);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port });
  let running: RunningPostgres | null = await start();
  await ensureDatabase(running.url("postgres"), "cartwheel");
  const databaseUrl = running.url("cartwheel");
  await prepareDatabase(databaseUrl);
  return {
    databaseUrl,
    async start() {
      running ??= await start();
    },
    async stop() {
      await running?.stop();
      running = null;
    },
    async kill() {
      await killCluster(await clusterDirectory(dataDir));
      running = null;
    },
    async remove() {
      await running?.stop();
      running = null;
      await rm(await clusterDirectory(dataDir), { recursive: true, force: true });
    },
  };
}

/**
 * SIGKILL to the postmaster (its pid is the first line of `postmaster.pid`) and to every process
 * it started, all at once, then waits until none is left.
 */
async function killCluster(directory: string) {
  const postmaster = Number(
    readFileSync(path.join(directory, "postmaster.pid"), "utf8").split("\n")[0],
  );
  const children = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === postmaster);
  const all = [postmaster, ...children];
  for (const pid of all) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {} // gone already
  }
  // A zombie nobody reaped yet holds no file or port any more: as good as gone.
  while (all.some((pid) => (procStat(pid)?.state ?? "Z") !== "Z")) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`killed the postmaster (${postmaster}) and ${children.length} backends with SIGKILL`);
}

/** `/proc/<pid>/stat` is "pid (comm) state ppid …", and comm may hold spaces: read after ")". */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state = "", ppid = ""] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}
