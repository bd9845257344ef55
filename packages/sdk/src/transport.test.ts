import { describe, expect, it } from "vitest";
import { classifyResponse } from "./transport";

describe("classifyResponse", () => {
  it("maps the API's statuses to what happens to the batch", () => {
    const rejected = [{ index: 0, messageId: "m", code: "invalid", message: "bad" }];
    expect(classifyResponse(200, { accepted: 0, duplicates: 0, rejected }, null)).toEqual({
      kind: "accepted",
      rejected,
    });
    expect(classifyResponse(200, null, null)).toEqual({ kind: "accepted", rejected: [] });
    expect(classifyResponse(400, null, null)).toEqual({ kind: "malformed" });
    expect(classifyResponse(401, null, null)).toEqual({ kind: "unauthorized", status: 401 });
    expect(classifyResponse(403, null, null)).toEqual({ kind: "unauthorized", status: 403 });
    expect(classifyResponse(413, null, null)).toEqual({ kind: "tooLarge" });
    expect(classifyResponse(429, null, "2")).toEqual({ kind: "retry", afterMs: 2000 });
    expect(classifyResponse(503, null, "2")).toEqual({ kind: "retry", afterMs: undefined });
    expect(classifyResponse(404, null, null)).toEqual({ kind: "retry", afterMs: undefined });
  });
});
