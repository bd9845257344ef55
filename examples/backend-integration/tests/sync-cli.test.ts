import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApi } from "./api-server.ts";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
let server: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  server = await startApi();
});

afterAll(async () => {
  await server?.close();
});

/** Runs `npm start`'s command (`tsx src/sync.ts`) with the README's environment variables. */
function sync(env: Record<string, string>, args: string[] = []) {
  return run(process.execPath, ["--import", "tsx", "src/sync.ts", ...args], {
    cwd: packageDir,
    env: { ...process.env, ...env },
  });
}

it("syncs the bundled sample as the README says, and a second run sends nothing new", async () => {
  const shop = await server.newShop();
  const env = { CARTWHEEL_API_URL: server.url, CARTWHEEL_SECRET_KEY: shop.secretKey };
  const first = await sync(env);
  expect(first.stdout).toContain("customers: 5 created, 0 updated, 0 refused");
  expect(first.stdout).toContain("orders (ingestEvents): 4 sent, 0 already sent, 0 not sent");
  const second = await sync(env);
  expect(second.stdout).toContain("customers: 0 created, 5 updated, 0 refused");
  expect(second.stdout).toContain("orders (ingestEvents): 0 sent, 4 already sent, 0 not sent");
});

it("exits non-zero and names the variable when the key is missing", async () => {
  await expect(
    sync({ CARTWHEEL_API_URL: server.url, CARTWHEEL_SECRET_KEY: "" }),
  ).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining("CARTWHEEL_SECRET_KEY is not set"),
  });
});
