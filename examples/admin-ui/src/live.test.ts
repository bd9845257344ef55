import { describe, expect, it } from "vitest";
import { parseEvents } from "./live.ts";

describe("parseEvents", () => {
  it("reads yoga's next and complete events, skips keep-alive comments and keeps a partial frame", () => {
    const stream =
      ':\n\nevent: next\ndata: {"data":{"n":1}}\n\n: ping\n\nevent: next\r\ndata: {"data":\r\ndata: {"n":2}}\r\n\r\nevent: complete\ndata:\n\nevent: next\ndata: {"da';
    expect(parseEvents(stream)).toEqual({
      events: [
        { event: "next", data: '{"data":{"n":1}}' },
        { event: "next", data: '{"data":\n{"n":2}}' },
        { event: "complete", data: "" },
      ],
      rest: 'event: next\ndata: {"da',
    });
  });

  it("finishes a frame split across chunks once its blank line arrives", () => {
    const first = parseEvents("event: next\ndata: {}");
    expect(first.events).toEqual([]);
    expect(parseEvents(`${first.rest}\n\n`).events).toEqual([{ event: "next", data: "{}" }]);
  });
});
