import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCartwheelApi } from "../src/import/cartwheel-api.ts";
import { products } from "../src/import/kinds/products.ts";
import { runImport } from "../src/import/run-import.ts";
import { startApi, type TestServer } from "./support/api-server.ts";
import { countRows, tableState } from "./support/database-state.ts";
import { startFaultyProxy } from "./support/faulty-proxy.ts";
import { productsCsv } from "./support/product-files.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

let server: TestServer;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
let reference: unknown[];
beforeAll(async () => {
  server = await startApi();
  proxy = await startFaultyProxy(server.url);
  const shop = await server.newShop();
  const clean = await runCommand(["products", await writeInput("clean.csv", productsCsv(2500))], {
    key: shop.secretKey,
    url: server.url,
  });
  expect(clean.code).toBe(0);
  reference = await tableState("products", shop.workspaceId);
  expect(reference).toHaveLength(2500);
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

describe("resuming an interrupted import", () => {
  it("goes on after the batch the server refused, and ends as a clean import does", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(2500));
    const before = proxy.calls("ImportProducts");
    proxy.setFault((operation, count) =>
      operation === "ImportProducts" && count > before + 1 ? "refuse" : null,
    );
    const failed = await runCommand(["products", file], { key: shop.secretKey, url: proxy.url });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("HTTP 500 (gave up after 5 tries)");
    expect(failed.stderr).toContain("run the same command again to go on from there");
    expect(existsSync(`${file}.import-journal`)).toBe(true);
    expect(await countRows("products", shop.workspaceId)).toBe(1000);

    proxy.setFault(() => null);
    const resumed = await runCommand(["products", file], { key: shop.secretKey, url: proxy.url });
    expect(resumed.stderr).toContain("1 batches (1,000 of 2,500 rows) were committed before");
    expect(resumed.stdout).toContain("2,500 imported (2,500 created, 0 updated), 0 rejected");
    expect(resumed.stdout).toContain("resumed after 1 committed batches");
    expect(resumed.code).toBe(0);
    expect(existsSync(`${file}.import-journal`)).toBe(false);
    expect(await tableState("products", shop.workspaceId)).toEqual(reference);
  });

  it("sends again the one batch whose answer was lost, which writes nothing twice", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(2500));
    const before = proxy.calls("ImportProducts");
    proxy.setFault((operation, count) =>
      operation === "ImportProducts" && count > before + 1 ? "lose answer" : null,
    );
    const failed = await runCommand(["products", file, "--retries", "0"], {
      key: shop.secretKey,
      url: proxy.url,
    });
    expect(failed.code).toBe(3);
    expect(await countRows("products", shop.workspaceId)).toBe(2000);

    proxy.setFault(() => null);
    const resumed = await runCommand(["products", file], { key: shop.secretKey, url: proxy.url });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("2,500 imported (1,500 created, 1,000 updated)");
    expect(await countRows("products", shop.workspaceId)).toBe(2500);
    expect(await tableState("products", shop.workspaceId)).toEqual(reference);
  });

  it("stops between batches when aborted (Ctrl-C) and goes on from the next one", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(2500));
    const controller = new AbortController();
    const before = proxy.calls("ImportProducts");
    proxy.setFault((operation, count) => {
      if (operation === "ImportProducts" && count === before + 2) controller.abort();
      return null;
    });
    const stopped = await runCommand(["products", file], {
      key: shop.secretKey,
      url: proxy.url,
      signal: controller.signal,
    });
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain("stopped after 2 batches");
    expect(await countRows("products", shop.workspaceId)).toBe(2000);
    proxy.setFault(() => null);
    const resumed = await runCommand(["products", file], { key: shop.secretKey, url: proxy.url });
    expect(resumed.stderr).toContain("2 batches (2,000 of 2,500 rows) were committed before");
    expect(proxy.calls("ImportProducts")).toBe(before + 3);
    expect(resumed.code).toBe(0);
    expect(await tableState("products", shop.workspaceId)).toEqual(reference);
  });

  it("refuses to resume once the file has changed, until told to restart", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(2500));
    const before = proxy.calls("ImportProducts");
    proxy.setFault((operation, count) =>
      operation === "ImportProducts" && count > before + 1 ? "refuse" : null,
    );
    expect(
      (
        await runCommand(["products", file, "--retries", "0"], {
          key: shop.secretKey,
          url: proxy.url,
        })
      ).code,
    ).toBe(3);
    proxy.setFault(() => null);
    await writeFile(file, productsCsv(2500, "Renamed"));
    const refused = await runCommand(["products", file], { key: shop.secretKey, url: proxy.url });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("the file has changed since");
    expect(refused.stderr).toContain("Run with --restart");
    const other = await server.newShop();
    const elsewhere = await runCommand(["products", file], {
      key: other.secretKey,
      url: proxy.url,
    });
    expect(elsewhere.stderr).toContain("the file has changed since");

    const restarted = await runCommand(["products", file, "--restart"], {
      key: shop.secretKey,
      url: proxy.url,
    });
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain("2,500 imported (1,500 created, 1,000 updated)");
    const titles = ((await tableState("products", shop.workspaceId)) as { title: string }[]).map(
      (row) => row.title,
    );
    expect(titles.every((title) => title.startsWith("Renamed"))).toBe(true);
  });

  it("does not resume into another workspace", async () => {
    const shop = await server.newShop();
    const other = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(1500));
    const before = proxy.calls("ImportProducts");
    proxy.setFault((operation, count) =>
      operation === "ImportProducts" && count > before + 1 ? "refuse" : null,
    );
    expect(
      (
        await runCommand(["products", file, "--retries", "0"], {
          key: shop.secretKey,
          url: proxy.url,
        })
      ).code,
    ).toBe(3);
    proxy.setFault(() => null);
    const elsewhere = await runCommand(["products", file], {
      key: other.secretKey,
      url: proxy.url,
    });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("it went to another workspace");
    expect(await countRows("products", other.workspaceId)).toBe(0);
  });

  it("halves a batch the server refuses as a whole until it fits (a server with a smaller limit)", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv(1600));
    const before = proxy.calls("ImportProducts");
    const report = await runImport({
      kind: { ...products, maxBatch: 1600 },
      file,
      format: "csv",
      api: makeCartwheelApi({ url: proxy.url, key: shop.secretKey }),
      progress: null,
      log: () => {},
    });
    expect(report.created).toBe(1600);
    expect(report.rejects).toEqual([]);
    expect(proxy.calls("ImportProducts") - before).toBe(3);
    expect(await countRows("products", shop.workspaceId)).toBe(1600);
  });
});
