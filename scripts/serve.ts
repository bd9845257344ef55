/**
 * `npm run serve`: the production command. Runs `CARTWHEEL_API_PROCESSES` API processes
 * (sharing `PORT`) and `CARTWHEEL_WORKERS` worker processes against the Postgres DATABASE_URL
 * names, with real SES (`SES_REGION`) or an `SES_ENDPOINT`. It starts no database and applies
 * no migrations (`npm run db:migrate` does, once per release). SIGTERM or SIGINT stops every
 * child gracefully; a child that crashes stops the others and exits 1, for the service manager
 * to restart.
 */
import { apiServerSections, checkConfig } from "@cartwheel/api/config";
import { loadWorkerConfig } from "@cartwheel/worker";
import { processCounts, startProcesses } from "./processes.ts";

const log = (line: string) => console.log(`cartwheel: ${line}`);
const countsCheck = processCounts.safeParse(process.env);
const problems = [
  ...(countsCheck.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? []),
  ...checkConfig(apiServerSections, process.env),
];
if (problems.length > 0) {
  console.error(`cartwheel: invalid environment:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
try {
  loadWorkerConfig(process.env);
} catch (error) {
  console.error(`cartwheel: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping");
  await running.stop();
  log("stopped");
  process.exit(code);
}
const running = startProcesses({
  ...processCounts.parse(process.env),
  env: process.env,
  log,
  onUnexpectedExit(name, reason) {
    log(`${name} exited (${reason}); stopping everything`);
    void stop(1);
  },
});
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
