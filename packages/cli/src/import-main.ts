/**
 * The import command: `npm run import -- products products.csv` at the repository root, or
 * `cartwheel-import products products.csv`. Ctrl-C stops after the batch in flight; run the
 * same command again to go on.
 */
import { importCommand } from "./import/command.ts";

const controller = new AbortController();
process.once("SIGINT", () => {
  process.stderr.write("\nimport: stopping after the batch in flight (Ctrl-C again to quit now)\n");
  controller.abort();
  process.once("SIGINT", () => process.exit(130));
});
process.exitCode = await importCommand(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
