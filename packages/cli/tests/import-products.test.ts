import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestServer } from "./support/api-server.ts";
import { countRows, tableState } from "./support/database-state.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

const productsCsv = `id,sku,title,url,image_url,price,compare_at_price,category,brand,tags,inventory,in_stock,status,replenishment_days,property:material
p-1,SKU-1,Linen shirt,https://shop.example/p-1,https://shop.example/p-1.jpg,49.90,59.90,Men > Shirts,Acme,summer|linen,12,,ACTIVE,,linen
p-2,SKU-2,"Coffee beans, 1 kg",,,19.5,,Food > Coffee,,,,yes,,30,
p-3,,Draft thing,,,0,,,,,,false,draft,,
`;

describe("importing products", () => {
  it("creates products from a CSV with prices in major units, lists, booleans and properties", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", productsCsv);
    const run = await runCommand(["products", file], { key: shop.secretKey, url: server.url });
    expect(run.stderr).toContain("products 3/3 rows (100%)");
    expect(run.stdout).toMatch(
      /^products: 3 imported \(3 created, 0 updated\), 0 rejected, from 3 rows/,
    );
    expect(run.code).toBe(0);
    const rows = (await tableState("products", shop.workspaceId)) as Record<string, unknown>[];
    const byId = new Map(rows.map((row) => [row.shop_product_id, row]));
    expect(byId.get("p-1")).toMatchObject({
      sku: "SKU-1",
      title: "Linen shirt",
      price: 4990,
      compare_at_price: 5990,
      currency: "USD",
      category: "Men > Shirts",
      brand: "Acme",
      tags: ["summer", "linen"],
      inventory_quantity: 12,
      in_stock: true,
      status: "ACTIVE",
      properties: { material: "linen" },
      stub: false,
    });
    expect(byId.get("p-2")).toMatchObject({
      title: "Coffee beans, 1 kg",
      price: 1950,
      replenishment_days: 30,
      properties: {},
    });
    expect(byId.get("p-3")).toMatchObject({ status: "DRAFT", in_stock: false, price: 0 });

    const again = await runCommand(["products", file], { key: shop.secretKey, url: server.url });
    expect(again.stdout).toContain("3 imported (0 created, 3 updated)");
    expect(await countRows("products", shop.workspaceId)).toBe(3);
  });

  it("keeps what an empty cell leaves out, so a partial export updates only its columns", async () => {
    const shop = await server.newShop();
    await runCommand(["products", await writeInput("full.csv", productsCsv)], {
      key: shop.secretKey,
      url: server.url,
    });
    const stock = await writeInput("stock.csv", "id,inventory,in_stock\np-1,0,false\n");
    expect(
      (await runCommand(["products", stock], { key: shop.secretKey, url: server.url })).code,
    ).toBe(0);
    const p1 = ((await tableState("products", shop.workspaceId)) as Record<string, unknown>[]).find(
      (row) => row.shop_product_id === "p-1",
    );
    expect(p1).toMatchObject({
      title: "Linen shirt",
      price: 4990,
      inventory_quantity: 0,
      in_stock: false,
    });
  });

  it("imports NDJSON lines as ProductInput objects, variants included", async () => {
    const shop = await server.newShop();
    const lines = [
      {
        productId: "tee",
        title: "T-shirt",
        price: 20,
        variants: [
          { variantId: "tee-s", title: "S", inventoryQuantity: 2 },
          { variantId: "tee-m", title: "M", price: 22.5, inventoryQuantity: 0 },
        ],
      },
      { productId: "mug", title: "Mug", price: 9.99, currency: "USD", sku: null },
    ];
    const file = await writeInput(
      "products.ndjson",
      `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    );
    const run = await runCommand(["products", file], { key: shop.secretKey, url: server.url });
    expect(run.code).toBe(0);
    const products = (await tableState("products", shop.workspaceId)) as Record<string, unknown>[];
    expect(products.find((p) => p.shop_product_id === "tee")).toMatchObject({
      inventory_quantity: 2,
      in_stock: true,
    });
    expect(products.find((p) => p.shop_product_id === "mug")).toMatchObject({
      currency: "USD",
      price: 999,
    });
    const variants = (await tableState("product_variants", shop.workspaceId)) as Record<
      string,
      unknown
    >[];
    expect(variants.map((v) => [v.shop_variant_id, v.price, v.in_stock])).toEqual([
      ["tee-m", 2250, false],
      ["tee-s", null, true],
    ]);
  });

  it("lands the good rows, reports each bad one by line, id, field and message, and exits 1", async () => {
    const shop = await server.newShop();
    const csv = `id,title,price,inventory,status
ok-1,Fine,10,,
bad-price,Too precise,10.999,,
bad-type,Not a number,ten,,
ok-2,Also fine,11,,
no-title,,12,,
ok-1,Repeated,13,,
bad-status,Status,14,,SOLD
"broken",row
ok-3,Last,15,3,
`;
    const file = await writeInput("products.csv", csv);
    const rejectsFile = `${file}.rejects.csv`;
    const run = await runCommand(["products", file, "--rejects", rejectsFile], {
      key: shop.secretKey,
      url: server.url,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "products: 3 imported (3 created, 0 updated), 6 rejected, from 9 rows",
    );
    expect(run.stdout).toContain(
      "line 3 (bad-price)  price: has more decimals than USD allows (2)",
    );
    expect(run.stdout).toContain(
      "line 4 (bad-type)  price: must be a decimal number such as 49.90 (no currency sign or thousands separator)",
    );
    expect(run.stdout).toContain("line 6 (no-title)  title: a new product needs a title");
    expect(run.stdout).toContain("line 7 (ok-1)  repeats the product ok-1 of line 2");
    expect(run.stdout).toContain(
      "line 8 (bad-status)  status: must be one of ACTIVE, DRAFT, ARCHIVED",
    );
    expect(run.stdout).toContain("line 9  has 2 cells; the header has 5 columns");
    const stored = (await tableState("products", shop.workspaceId)) as Record<string, unknown>[];
    expect(stored.map((row) => [row.shop_product_id, row.title]).sort()).toEqual([
      ["ok-1", "Fine"],
      ["ok-2", "Also fine"],
      ["ok-3", "Last"],
    ]);
    const rejects = await readFile(rejectsFile, "utf8");
    expect(rejects.split("\n")[0]).toBe("line,id,field,message");
    expect(rejects).toContain("3,bad-price,price,has more decimals than USD allows (2)");
    expect(rejects.trim().split("\n")).toHaveLength(7);
  });

  it("isolates NDJSON rows that GraphQL itself refuses, and unreadable lines", async () => {
    const shop = await server.newShop();
    const lines = [
      JSON.stringify({ productId: "a", title: "A", price: 1 }),
      JSON.stringify({ productId: "b", title: "B", prce: 2 }),
      "{not json",
      JSON.stringify({ productId: "c", title: "C", price: "3" }),
      JSON.stringify({ productId: "d", title: "D", price: 4 }),
      JSON.stringify(["not", "an", "object"]),
    ];
    const file = await writeInput("products.ndjson", `${lines.join("\n")}\n`);
    const run = await runCommand(["products", file], { key: shop.secretKey, url: server.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("2 imported (2 created, 0 updated), 4 rejected, from 6 rows");
    expect(run.stdout).toMatch(/line 2 \(b\) {2}.*prce/);
    expect(run.stdout).toMatch(/line 3 {2}is not JSON/);
    expect(run.stdout).toMatch(/line 4 \(c\) {2}.*Float/);
    expect(run.stdout).toContain("line 6  must be a JSON object");
    expect(await countRows("products", shop.workspaceId)).toBe(2);
  });

  it("refuses a CSV with an unknown column before sending anything", async () => {
    const shop = await server.newShop();
    const file = await writeInput("products.csv", "id,title,prise\np-1,Shirt,10\n");
    const run = await runCommand(["products", file], { key: shop.secretKey, url: server.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown column "prise"');
    expect(await countRows("products", shop.workspaceId)).toBe(0);
  });
});
