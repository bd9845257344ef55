import { describe, expect, it } from "vitest";
import { jsonBytes, splitBatches } from "./batch";

describe("splitBatches", () => {
  it("keeps order and caps the number of events", () => {
    const batches = splitBatches([...Array(250).keys()], { maxEvents: 100, maxBytes: 1e9 });
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual([...Array(250).keys()]);
  });

  it("caps the bytes of a batch, counting the envelope", () => {
    const items = Array(10).fill("x".repeat(98));
    const batches = splitBatches(items, { maxEvents: 100, maxBytes: 200 + 3 * 101 });
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 3, 1]);
  });

  it("gives an item bigger than the limit a batch of its own", () => {
    const batches = splitBatches(["small", "x".repeat(1000), "small"], {
      maxEvents: 100,
      maxBytes: 500,
    });
    expect(batches.map((batch) => batch.length)).toEqual([1, 1, 1]);
  });

  it("returns no batch for no items", () => {
    expect(splitBatches([], { maxEvents: 100, maxBytes: 500 })).toEqual([]);
  });
});

describe("jsonBytes", () => {
  it("counts UTF-8 bytes", () => {
    expect(jsonBytes("é")).toBe(4);
    expect(jsonBytes({ a: 1 })).toBe(7);
  });
});
