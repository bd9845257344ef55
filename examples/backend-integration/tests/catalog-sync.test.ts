import { fileURLToPath } from "node:url";
import { importCommand } from "@cartwheel/cli";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCartwheelClient } from "../src/cartwheel-client.ts";
import { sampleOrders } from "../src/sample-export.ts";
import { readCustomers } from "../src/shop-export.ts";
import { formatReport, hasProblems, runSync } from "../src/sync.ts";
import { startApi } from "./api-server.ts";

let server: Awaited<ReturnType<typeof startApi>>;
let database: pg.Client;
beforeAll(async () => {
  server = await startApi();
  database = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await database.connect();
});
afterAll(async () => {
  await database?.end();
  await server?.close();
});

const productsFile = fileURLToPath(new URL("../data/products.csv", import.meta.url));
const customersFile = fileURLToPath(new URL("../data/customers.csv", import.meta.url));

async function count(table: string, workspaceGlobalId: string) {
  const workspaceId = Buffer.from(workspaceGlobalId, "base64").toString().split(":")[1];
  const { rows } = await database.query<{ count: string }>(
    `SELECT count(*) FROM ${table} WHERE workspace_id = $1`,
    [workspaceId],
  );
  return Number(rows[0]?.count);
}

function output() {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), text: () => chunks.join("") };
}

describe("catalog and order records", () => {
  it("loads the catalog with the import command, then keeps it and the orders in sync through the API", async () => {
    const shop = await server.newShop();
    const stdout = output();
    const code = await importCommand(["products", productsFile, "--url", server.url], {
      env: { CARTWHEEL_API_KEY: shop.secretKey },
      stdout,
      stderr: output(),
    });
    expect(stdout.text()).toContain("products: 4 imported (4 created, 0 updated), 0 rejected");
    expect(code).toBe(0);

    const client = makeCartwheelClient({ apiUrl: server.url, secretKey: shop.secretKey });
    const options = {
      customers: await readCustomers(customersFile),
      orders: sampleOrders(),
      products: [
        { productId: "linen-shirt", price: 55, inventoryQuantity: 9 },
        { productId: "gift-card", title: "Gift card", price: 25 },
        { productId: "bad-price", title: "Bad", price: 1.001 },
      ],
      ordersVia: "upsertOrders" as const,
    };
    const report = await runSync(client, options);
    expect(formatReport(report)).toContain("products: 1 created, 1 updated, 1 refused");
    expect(formatReport(report)).toContain("row 3 (bad-price): price has more decimals");
    expect(report.orderRecords).toMatchObject({ created: 4, updated: 0, refused: [] });
    expect(hasProblems(report)).toBe(true);
    expect(await count("products", shop.workspaceId)).toBe(5);
    expect(await count("orders", shop.workspaceId)).toBe(4);

    const again = await runSync(client, options);
    expect(again.orderRecords).toMatchObject({ created: 0, updated: 4 });
    expect(await count("products", shop.workspaceId)).toBe(5);
    expect(await count("orders", shop.workspaceId)).toBe(4);
    const lines = await count("order_lines", shop.workspaceId);
    expect(lines).toBe(sampleOrders().reduce((sum, order) => sum + order.products.length, 0));
  });

  it("stops with the reason when the key may not write the catalog", async () => {
    const shop = await server.newShop();
    const contactsOnly = await shop.makeKey("SECRET", ["CONTACTS_WRITE", "EVENTS_WRITE"]);
    const client = makeCartwheelClient({ apiUrl: server.url, secretKey: contactsOnly.key });
    const report = await runSync(client, {
      customers: [],
      orders: [],
      products: [{ productId: "p-1", title: "P", price: 1 }],
    });
    expect(report.products?.stoppedAt?.reason).toMatch(/^ForbiddenError: /);
  });
});
