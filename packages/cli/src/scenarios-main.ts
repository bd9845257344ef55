/** The scenarios-as-code command: `npm run scenarios -- pull flows/` / `push flows/ [--dry-run]`. */
import { scenariosCommand } from "./scenarios/scenarios-command.ts";

process.exitCode = await scenariosCommand(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
