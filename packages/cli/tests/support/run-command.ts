import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { importCommand } from "../../src/import/command.ts";

let fileCounter = 0;
const workDir = path.resolve(import.meta.dirname, "../../.data/tests", String(process.pid));

/** A stream that keeps what is written, as a terminal (`isTTY`) or not. */
export function collector(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join("") };
}

/** Writes a file for one test and returns its path (under `packages/cli/.data/tests`). */
export async function writeInput(name: string, content: string): Promise<string> {
  fileCounter += 1;
  const dir = path.join(workDir, String(fileCounter));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/**
 * Runs the import command in process, as `npm run import -- <argv>` would, with the key in
 * CARTWHEEL_API_KEY, no waiting between retries, and its output collected.
 */
export async function runCommand(
  argv: string[],
  options: { key?: string; url?: string; signal?: AbortSignal; now?: () => number } = {},
) {
  const stdout = collector();
  const stderr = collector();
  const code = await importCommand(argv, {
    env: {
      ...(options.key !== undefined && { CARTWHEEL_API_KEY: options.key }),
      ...(options.url !== undefined && { CARTWHEEL_API_URL: options.url }),
    },
    stdout,
    stderr,
    sleep: async () => {},
    ...(options.signal && { signal: options.signal }),
    ...(options.now && { now: options.now }),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
