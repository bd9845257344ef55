import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { freePort } from "@cartwheel/api/platform";

/** The local SES API (`aws-ses-v2-local`) in a child process on a free loopback port. */
export async function startLocalSesProcess() {
  const port = await freePort();
  const cli = createRequire(import.meta.url).resolve("aws-ses-v2-local/dist/cli.js");
  const child = spawn(process.execPath, [cli, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("server running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`local SES exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    clear: () => fetch(`${endpoint}/clear-store`, { method: "POST" }),
    count: async () =>
      ((await (await fetch(`${endpoint}/store`)).json()) as { emails: unknown[] }).emails.length,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
