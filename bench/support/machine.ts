import os from "node:os";

/** One line naming the machine a benchmark ran on, since figures only compare within a run. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const memoryGiB = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus[0]?.model ?? "unknown CPU"} × ${cpus.length} cores, ${memoryGiB} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}
