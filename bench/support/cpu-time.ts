import { readFileSync } from "node:fs";
import type pg from "pg";

const ticksPerSecond = 100;

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone (Linux /proc). */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, the 12th and 13th after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/**
 * Measures the CPU each group of processes (`groups`, re-read at the end, so processes started
 * meanwhile count whole) uses while `work` runs: the machine is shared, so CPU per event
 * compares paths where wall-clock rates swing with the neighbours' load. Processes that end
 * during `work` are missed.
 */
export async function measureCpu<T, G extends string>(
  groups: Record<G, () => Promise<number[]>>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<G, number> }> {
  const names = Object.keys(groups) as G[];
  const before = new Map<number, number>();
  for (const name of names) {
    for (const pid of await groups[name]()) before.set(pid, processCpuMs(pid));
  }
  const result = await work();
  const cpuMs = {} as Record<G, number>;
  for (const name of names) {
    cpuMs[name] = 0;
    for (const pid of await groups[name]()) {
      cpuMs[name] += processCpuMs(pid) - (before.get(pid) ?? 0);
    }
  }
  return { result, cpuMs };
}

/** The Postgres backends serving `database` whose application_name is (or is not) `name`. */
export async function backendPids(
  client: pg.Pool,
  database: string,
  filter: { applicationName: string; matching: boolean },
): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = $1 AND backend_type = 'client backend'
        AND (application_name = $2) = $3`,
    [database, filter.applicationName, filter.matching],
  );
  return rows.map((row) => row.pid);
}
