import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestServer } from "./support/api-server.ts";
import { tableState } from "./support/database-state.ts";
import { runCommand, writeInput } from "./support/run-command.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

describe("importing marketing spend", () => {
  it("records spend per channel and day from a CSV, names bad rows, and replaces a day on a second run", async () => {
    const shop = await server.newShop();
    const csv = `channel,day,amount
google_ads,2026-11-02,120.50
meta,2026-11-02,80
meta,2026-11-03,12.345
newsletter,30/11/2026,10
meta,2026-11-03,15
`;
    const file = await writeInput("spend.csv", csv);
    const run = await runCommand(["spend", file], { key: shop.secretKey, url: server.url });
    expect(run.stdout).toContain(
      "spend: 2 imported (2 created, 0 updated), 3 rejected, from 5 rows",
    );
    expect(run.stdout).toContain(
      "line 4 (2026-11-03 meta)  amount: has more decimals than USD allows (2)",
    );
    expect(run.stdout).toContain(
      "line 5 (30/11/2026 newsletter)  day: must be a date like 2026-11-30",
    );
    // The file names meta on 2026-11-03 twice: the second is refused, not silently kept.
    expect(run.stdout).toContain(
      "line 6 (2026-11-03 meta)  repeats the spend 2026-11-03 meta of line 4",
    );
    expect(run.code).toBe(1);
    const rows = (await tableState("marketing_spend", shop.workspaceId)) as Record<
      string,
      unknown
    >[];
    expect(
      rows
        .map((row) => [row.channel, String(row.amount)])
        .sort((a, b) => String(a).localeCompare(String(b))),
    ).toEqual([
      ["google_ads", "12050"],
      ["meta", "8000"],
    ]);

    const fixed = await writeInput(
      "spend-fixed.csv",
      "channel,day,amount\ngoogle_ads,2026-11-02,99.99\n",
    );
    const again = await runCommand(["spend", fixed], { key: shop.secretKey, url: server.url });
    expect(again.stdout).toContain("1 imported (0 created, 1 updated)");
    expect(again.code).toBe(0);
  });
});
