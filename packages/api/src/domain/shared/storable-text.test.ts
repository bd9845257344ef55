import { describe, expect, it } from "vitest";
import { findUnstorableText } from "./storable-text.ts";

describe("findUnstorableText", () => {
  it("finds NUL bytes and unpaired surrogates at any depth, in values and keys", () => {
    expect(findUnstorableText({ a: [{ b: "x\u0000" }] })?.path).toEqual(["a", "0", "b"]);
    expect(findUnstorableText(["\uD800"])?.message).toMatch(/unpaired/);
    expect(findUnstorableText(["x\uDC00"])?.message).toMatch(/unpaired/);
    expect(findUnstorableText({ "k\u0000": 1 })).toEqual({
      path: ["k\u0000"],
      message: "its key contains a NUL character (\\u0000)",
    });
  });

  it("lets every other string through, emoji and combining marks included", () => {
    expect(
      findUnstorableText({ a: "👩‍👩‍👧‍👦 e\u0301 \uFEFF \u202E", n: 1, d: new Date(0), z: null }),
    ).toBeNull();
    expect(findUnstorableText("\uD83D\uDED2")).toBeNull();
  });
});
