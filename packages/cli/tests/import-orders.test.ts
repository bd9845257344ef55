import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestServer } from "./support/api-server.ts";
import { countRows, tableState } from "./support/database-state.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

const ordersCsv = `order_id,order_number,customer_id,email,currency,subtotal,shipping,total,ordered_at,status,product_id,sku,title,price,quantity
1001,#1001,c-1,ada@example.com,EUR,69.80,4.90,74.70,2026-01-05T10:00:00Z,PAID,p-1,SKU-1,Linen shirt,49.90,1
1001,,,,,,,,,,p-2,SKU-2,Coffee beans,9.95,2
1002,#1002,c-2,grace@example.com,EUR,19.90,0,19.90,2026-01-06T09:30:00+01:00,,p-2,SKU-2,Coffee beans,9.95,2
1003,#1003,c-1,ada@example.com,EUR,,,10,2026-01-07T10:00:00Z,,,,,,
1004,#1004,c-3,,EUR,,,5,yesterday,,p-9,,Thing,5,1
1005,#1005,c-3,,EUR,,,5,2026-01-08T10:00:00Z,,p-9,,Thing,5,1
1005,#1005,c-3,,USD,,,,,,p-8,,Other,5.001,1
`;

describe("importing orders", () => {
  it("groups a CSV's adjacent rows into orders with lines, and reports bad orders by line", async () => {
    const shop = await server.newShop();
    const file = await writeInput("orders.csv", ordersCsv);
    const run = await runCommand(["orders", file], { key: shop.secretKey, url: server.url });
    expect(run.stdout).toContain(
      "orders: 3 imported (3 created, 0 updated), 2 rejected, from 7 rows",
    );
    expect(run.stdout).toContain(
      "line 6 (1004)  ordered_at: must be an ISO 8601 date-time with an offset, such as 2026-03-01T10:00:00Z",
    );
    expect(run.stdout).toContain(
      "line 8 (1005)  currency: differs from the order's first row (line 7)",
    );
    expect(run.code).toBe(1);

    const orders = (await tableState("orders", shop.workspaceId)) as Record<string, unknown>[];
    expect(orders.map((order) => order.shop_order_id).sort()).toEqual(["1001", "1002", "1003"]);
    const first = orders.find((order) => order.shop_order_id === "1001");
    expect(first).toMatchObject({ total: 7470, shipping: 490, currency: "EUR", status: "PAID" });
    const lines = (await tableState("order_lines", shop.workspaceId)) as Record<string, unknown>[];
    expect(lines.map((line) => [line.shop_product_id, line.price, line.quantity]).sort()).toEqual([
      ["p-1", 4990, 1],
      ["p-2", 995, 2],
      ["p-2", 995, 2],
    ]);
    expect(await countRows("contacts", shop.workspaceId)).toBe(2);

    const again = await runCommand(["orders", file], { key: shop.secretKey, url: server.url });
    expect(again.stdout).toContain("3 imported (0 created, 3 updated)");
    expect(await countRows("orders", shop.workspaceId)).toBe(3);
    expect(await countRows("order_lines", shop.workspaceId)).toBe(3);
  });

  it("names the CSV row of a line the API refuses", async () => {
    const shop = await server.newShop();
    const csv = `order_id,customer_id,total,ordered_at,product_id,price,quantity
2001,c-1,30,2026-01-05T10:00:00Z,p-1,10,1
2001,,,,p-2,10.001,2
`;
    const run = await runCommand(["orders", await writeInput("orders.csv", csv)], {
      key: shop.secretKey,
      url: server.url,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/line 2 \(2001\) {2}price \(order row 2\): has more decimals/);
  });

  it("imports NDJSON OrderInput lines with their lines and refunds", async () => {
    const shop = await server.newShop();
    const order = {
      orderId: "3001",
      customer: { email: "ada@example.com", firstName: "Ada" },
      total: 54.9,
      orderedAt: "2025-11-20T12:00:00Z",
      lines: [
        { productId: "p-1", price: 49.9 },
        { productId: "p-2", price: 5, quantity: 1 },
      ],
      refunds: [{ refundId: "r-1", amount: 5, refundedAt: "2025-11-22T12:00:00Z" }],
    };
    const file = await writeInput(
      "orders.ndjson",
      `${JSON.stringify(order)}\n${JSON.stringify({ orderId: "3002", total: 1, orderedAt: "2025-11-20T12:00:00Z" })}\n`,
    );
    const run = await runCommand(["orders", file], { key: shop.secretKey, url: server.url });
    expect(run.stdout).toContain("1 imported (1 created, 0 updated), 1 rejected");
    expect(run.stdout).toContain('line 2 (3002)  Field "customer" of required type');
    expect(await countRows("order_lines", shop.workspaceId)).toBe(2);
    expect(await countRows("order_refunds", shop.workspaceId)).toBe(1);
  });
});
