import { describe, expect, it } from "vitest";
import { orders } from "./kinds/orders.ts";
import { mapRows } from "./map-rows.ts";
import type { SourceRecord } from "./source-record.ts";

const header = ["order_id", "customer_id", "total", "ordered_at", "product_id", "price"];

function csvRecords(rows: string[][]): SourceRecord[] {
  return rows.map((cells, index) => ({
    type: "csv",
    record: index + 1,
    line: index + 2,
    cells: Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ""])),
  }));
}

async function collect(records: SourceRecord[]) {
  const out = [];
  for await (const row of mapRows(
    records as AsyncIterable<SourceRecord> & SourceRecord[],
    orders,
    "csv",
  ))
    out.push(row);
  return out;
}

describe("mapping order rows", () => {
  it("makes one order of adjacent rows, its lines in file order, ending at its last record", async () => {
    const mapped = await collect(
      csvRecords([
        ["1", "c-1", "15", "2026-01-05T10:00:00Z", "p-1", "10"],
        ["1", "", "", "", "p-2", "5"],
        ["2", "c-2", "7", "2026-01-06T10:00:00Z", "p-3", "7"],
      ]),
    );
    expect(mapped).toEqual([
      {
        item: {
          line: 2,
          id: "1",
          input: {
            orderId: "1",
            customer: { externalId: "c-1" },
            total: 15,
            orderedAt: "2026-01-05T10:00:00Z",
            lines: [
              { productId: "p-1", price: 10 },
              { productId: "p-2", price: 5 },
            ],
          },
        },
        through: 2,
      },
      expect.objectContaining({ item: expect.objectContaining({ id: "2", line: 4 }), through: 3 }),
    ]);
  });

  it("refuses an order whose rows come apart in the file", async () => {
    const mapped = await collect(
      csvRecords([
        ["1", "c-1", "10", "2026-01-05T10:00:00Z", "p-1", "10"],
        ["2", "c-2", "7", "2026-01-06T10:00:00Z", "p-3", "7"],
        ["1", "c-1", "10", "2026-01-05T10:00:00Z", "p-2", "5"],
      ]),
    );
    expect(mapped[2]).toEqual({
      rejects: [{ line: 4, id: "1", field: "", message: "repeats the order 1 of line 2" }],
      through: 3,
    });
  });
});
