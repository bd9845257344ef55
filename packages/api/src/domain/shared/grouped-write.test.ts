import { describe, expect, it } from "vitest";
import { makeGroupedWrite } from "./grouped-write.ts";

function controlledWriter() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  const settle = async (outcome: "ok" | Error) => {
    const next = pending.shift()!;
    if (outcome === "ok") next.resolve();
    else next.reject(outcome);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, settle };
}

describe("makeGroupedWrite", () => {
  it("writes the first call at once and groups the calls made while it is in flight", async () => {
    const writer = controlledWriter();
    const add = makeGroupedWrite(writer.write);
    const done: number[] = [];
    const calls = [1, 2, 3, 4].map((n) => add(n).then(() => done.push(n)));
    expect(writer.batches).toEqual([[1]]);
    await writer.settle("ok");
    expect(done).toEqual([1]);
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    await writer.settle("ok");
    await Promise.all(calls);
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it("rejects only the calls of the batch that failed and keeps writing the next ones", async () => {
    const writer = controlledWriter();
    const add = makeGroupedWrite(writer.write);
    const first = add(1).catch((error: unknown) => error);
    const second = add(2);
    const failure = new Error("connection lost");
    await writer.settle(failure);
    expect(await first).toBe(failure);
    await writer.settle("ok");
    await expect(second).resolves.toBeUndefined();
    const third = add(3);
    expect(writer.batches).toEqual([[1], [2], [3]]);
    await writer.settle("ok");
    await expect(third).resolves.toBeUndefined();
  });

  it("never puts more than maxBatch rows in one write", async () => {
    const writer = controlledWriter();
    const add = makeGroupedWrite(writer.write, { maxBatch: 2 });
    const calls = [1, 2, 3, 4, 5].map((n) => add(n));
    for (let i = 0; i < 3; i++) await writer.settle("ok");
    await Promise.all(calls);
    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
