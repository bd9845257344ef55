import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestServer } from "./support/api-server.ts";
import { countRows, tableState } from "./support/database-state.ts";
import { startFaultyProxy } from "./support/faulty-proxy.ts";
import { productsCsv } from "./support/product-files.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

describe("the import command", () => {
  it("says clearly that a wrong key was refused, and sends nothing", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", "id,title\np-1,Shirt\n");
    const run = await runCommand(["products", file], { key: "cw_sk_wrong", url: server.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${server.url}/graphql refused the key in CARTWHEEL_API_KEY: it is unknown or revoked`,
    );
    const publicKey = await runCommand(["products", file], {
      key: shop.publicKey,
      url: server.url,
    });
    expect(publicKey.code).toBe(2);
    expect(publicKey.stderr).toContain("it is not a secret key of a workspace");
    expect(existsSync(`${file}.import-journal`)).toBe(false);
    expect(await countRows("products", shop.workspaceId)).toBe(0);
  });

  it("names the missing variable, and explains its usage", async () => {
    const file = await writeInput("products.csv", "id,title\np-1,Shirt\n");
    const noKey = await runCommand(["products", file], { url: server.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("CARTWHEEL_API_KEY is not set");
    const badKind = await runCommand(["carts", file], { key: "k" });
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain('cannot import "carts": choose products, contacts, orders');
    expect(badKind.stderr).toContain("usage: npm run import --");
    const badName = await runCommand(["products", "export.txt"], { key: "k" });
    expect(badName.stderr).toContain("name it .csv or .ndjson, or give --format");
  });

  it("runs as `npm run import`, and a killed run goes on without duplicates", async () => {
    const shop = await server.newShop();
    const proxy = await startFaultyProxy(server.url);
    proxy.setFault((operation, count) =>
      operation === "ImportProducts" && count === 2 ? "hold answer" : null,
    );
    const file = await writeInput("products.csv", productsCsv(2500));
    const child = spawn(
      "npm",
      ["run", "-s", "import", "--", "products", file, "--url", proxy.url],
      {
        cwd: repoRoot,
        env: { ...process.env, CARTWHEEL_API_KEY: shop.secretKey },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await proxy.held;
    // The second batch is written but its answer never came: kill the whole process group.
    process.kill(-(child.pid as number), "SIGKILL");
    await exited;
    expect(stderr).toMatch(/products 1,000\/2,500 rows \(40%\) · [\d,]+ rows\/s · ETA \d+:\d\d/);
    expect(await countRows("products", shop.workspaceId)).toBe(2000);

    proxy.setFault(() => null);
    const resumed = await runCommand(["products", file, "--url", proxy.url], {
      key: shop.secretKey,
    });
    await proxy.close();
    expect(resumed.stderr).toContain("1 batches (1,000 of 2,500 rows) were committed before");
    expect(resumed.stdout).toContain("2,500 imported (1,500 created, 1,000 updated), 0 rejected");
    expect(resumed.code).toBe(0);
    const clean = await server.newShop();
    await runCommand(["products", await writeInput("clean.csv", productsCsv(2500))], {
      key: clean.secretKey,
      url: server.url,
    });
    expect(await tableState("products", shop.workspaceId)).toEqual(
      await tableState("products", clean.workspaceId),
    );
  }, 60_000);
});
