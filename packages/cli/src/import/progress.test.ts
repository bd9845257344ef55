import { describe, expect, it } from "vitest";
import { formatDuration, formatProgress, makeProgress } from "./progress.ts";

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (text: string) => chunks.push(text) };
}

describe("the progress line", () => {
  it("shows rows done of the total, the rate of this run and the time left", () => {
    expect(
      formatProgress({
        label: "products",
        total: 100_000,
        done: 45_000,
        startedAt: 0,
        elapsedMs: 20_000,
        bar: false,
      }),
    ).toBe("products 45,000/100,000 rows (45%) · 2,250 rows/s · ETA 0:24");
    expect(
      formatProgress({
        label: "orders",
        total: 10_000,
        done: 2_500,
        startedAt: 0,
        elapsedMs: 10_000,
        bar: true,
      }),
    ).toBe("orders [######------------------]  25% 2,500/10,000 rows · 250 rows/s · ETA 0:30");
  });

  it("counts only this run's rows in the rate of a resumed import", () => {
    expect(
      formatProgress({
        label: "products",
        total: 10_000,
        done: 6_000,
        startedAt: 5_000,
        elapsedMs: 1_000,
        bar: false,
      }),
    ).toBe("products 6,000/10,000 rows (60%) · 1,000 rows/s · ETA 0:04");
  });

  it("has no rate before the first batch and no time left at the end", () => {
    expect(
      formatProgress({
        label: "contacts",
        total: 10,
        done: 0,
        startedAt: 0,
        elapsedMs: 0,
        bar: false,
      }),
    ).toBe("contacts 0/10 rows (0%) · – rows/s · ETA –");
    expect(
      formatProgress({
        label: "contacts",
        total: 10,
        done: 10,
        startedAt: 0,
        elapsedMs: 2_000,
        bar: false,
      }),
    ).toBe("contacts 10/10 rows (100%) · 5 rows/s · ETA 0:00");
    expect(formatDuration(3_723)).toBe("1:02:03");
  });

  it("redraws one line in place on a terminal, at most every 100 ms", () => {
    let clock = 0;
    const stream = recorder(true);
    const progress = makeProgress({
      stream,
      label: "products",
      total: 3_000,
      startedAt: 0,
      now: () => clock,
    });
    clock = 1_000;
    progress.update(1_000);
    clock = 1_050;
    progress.update(2_000);
    clock = 2_000;
    progress.finish(3_000);
    expect(stream.chunks).toEqual([
      "\rproducts [########----------------]  33% 1,000/3,000 rows · 1,000 rows/s · ETA 0:02\x1b[K",
      "\rproducts [########################] 100% 3,000/3,000 rows · 1,500 rows/s · ETA 0:00\x1b[K",
      "\n",
    ]);
  });

  it("writes plain lines now and then when it is not a terminal", () => {
    let clock = 0;
    const stream = recorder(false);
    const progress = makeProgress({
      stream,
      label: "products",
      total: 30_000,
      startedAt: 0,
      now: () => clock,
    });
    for (let batch = 1; batch <= 30; batch++) {
      clock = batch * 1_000;
      progress.update(batch * 1_000);
    }
    progress.finish(30_000);
    expect(stream.chunks).toEqual([
      "products 1,000/30,000 rows (3%) · 1,000 rows/s · ETA 0:29\n",
      "products 11,000/30,000 rows (36%) · 1,000 rows/s · ETA 0:19\n",
      "products 21,000/30,000 rows (70%) · 1,000 rows/s · ETA 0:09\n",
      "products 30,000/30,000 rows (100%) · 1,000 rows/s · ETA 0:00\n",
    ]);
  });
});
