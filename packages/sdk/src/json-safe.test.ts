import { expect, it } from "vitest";
import { toJsonSafe } from "./json-safe";

it("turns values JSON cannot carry into ones it can", () => {
  const circular: Record<string, unknown> = { name: "loop" };
  circular.self = circular;
  expect(
    toJsonSafe({ circular, big: 10n, fn: () => 1, missing: undefined, nan: Number.NaN }),
  ).toEqual({ circular: { name: "loop", self: "[Circular]" }, big: "10", nan: null });
  expect(toJsonSafe("text")).toEqual({});
  expect(toJsonSafe(null)).toEqual({});
});
