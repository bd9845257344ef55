import { describe, expect, it } from "vitest";
import { jsonBytes, nextBatch } from "./batch";

describe("nextBatch", () => {
  it("keeps order and caps the number of events", () => {
    const items = [...Array(250).keys()];
    expect(nextBatch(items, 100, 1e9)).toEqual(items.slice(0, 100));
    expect(nextBatch(items.slice(200), 100, 1e9)).toEqual(items.slice(200));
  });

  it("caps the bytes of a batch, counting the envelope", () => {
    const items = Array(10).fill("x".repeat(98));
    expect(nextBatch(items, 100, 200 + 3 * 101)).toHaveLength(3);
    expect(nextBatch(items, 100, 200 + 3 * 101 - 1)).toHaveLength(2);
  });

  it("gives an item bigger than the limit a batch of its own", () => {
    expect(nextBatch(["x".repeat(1000), "small"], 100, 500)).toEqual(["x".repeat(1000)]);
    expect(nextBatch(["small", "x".repeat(1000)], 100, 500)).toEqual(["small"]);
  });

  it("returns no batch for no items", () => {
    expect(nextBatch([], 100, 500)).toEqual([]);
  });
});

describe("jsonBytes", () => {
  it("counts UTF-8 bytes", () => {
    expect(jsonBytes("é")).toBe(4);
    expect(jsonBytes({ a: 1 })).toBe(7);
  });
});
