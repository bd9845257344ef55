import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../shared/errors.ts";
import { parsePropertyConditions, parseSegmentFilter } from "./parse-filter.ts";

const problemsOf = (raw: unknown) => {
  try {
    parseSegmentFilter(raw);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems;
    throw error;
  }
  throw new Error("the filter was accepted");
};

describe("parseSegmentFilter", () => {
  it("refuses a field it does not know, by name, instead of dropping it", () => {
    expect(problemsOf({ event: { name: "Product Viewed", atLeast: 2, withinHour: 2 } })).toEqual([
      {
        path: ["filter", "event"],
        message: expect.stringMatching(/^unknown field "withinHour"; use name, atLeast, /),
      },
    ]);
    expect(problemsOf({ tag: { name: "vip", hass: true } })[0]?.message).toMatch(
      /unknown field "hass"/,
    );
  });

  it("normalises values to their declared type and fills defaults", () => {
    expect(
      parseSegmentFilter({
        and: [
          { property: { key: "age", type: "NUMBER", op: "AT_LEAST", value: "18" } },
          { property: { key: "beta", type: "BOOLEAN", op: "EQUALS", value: "true" } },
          { field: { name: "CREATED_AT", op: "GREATER_THAN", value: "2026-05-01" } },
          { tag: { name: "vip", has: null } },
          { inSegment: { segmentId: "0193A2B4-0000-7000-8000-000000000001" } },
          { event: { name: "Product Added", atLeast: 2, withinDays: 7, where: [] } },
          { consent: { statuses: ["SUBSCRIBED", "SUBSCRIBED"] } },
        ],
      }),
    ).toEqual({
      and: [
        { property: { key: "age", type: "NUMBER", op: "AT_LEAST", value: 18 } },
        { property: { key: "beta", type: "BOOLEAN", op: "EQUALS", value: true } },
        { field: { name: "CREATED_AT", op: "GREATER_THAN", value: "2026-05-01T00:00:00.000Z" } },
        { tag: { name: "vip", has: true } },
        { inSegment: { segmentId: "0193a2b4-0000-7000-8000-000000000001", isMember: true } },
        { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
        { consent: { statuses: ["SUBSCRIBED"] } },
      ],
    });
  });

  it.each([
    [
      { property: { key: "p", type: "COLOR", op: "EQUALS", value: "x" } },
      "filter.property.type",
      'unknown property type "COLOR"',
    ],
    [
      { property: { key: "p", type: "NUMBER", op: "CONTAINS", value: "x" } },
      "filter.property.op",
      "CONTAINS does not apply to NUMBER values",
    ],
    [
      { property: { key: "p", type: "NUMBER", op: "NEAR", value: 1 } },
      "filter.property.op",
      "unknown operator",
    ],
    [
      { property: { key: "p", type: "NUMBER", op: "EQUALS" } },
      "filter.property.value",
      "is required by this operator",
    ],
    [
      { property: { key: "p", type: "DATE", op: "AT_LEAST", value: "2026-02-30" } },
      "filter.property.value",
      "is not an ISO 8601 date",
    ],
    [
      { property: { key: "p", type: "NUMBER", op: "BETWEEN", min: 5, max: 1 } },
      "filter.property.max",
      "must not be below min",
    ],
    [
      { property: { key: "p", type: "STRING", op: "IN", values: [] } },
      "filter.property.values",
      "name 1 to 100 values",
    ],
    [{ field: { name: "SHOE_SIZE", op: "EXISTS" } }, "filter.field.name", "unknown contact field"],
    [
      { field: { name: "BIRTHDAY", op: "ANNIVERSARY_WITHIN_DAYS", days: 400 } },
      "filter.field.days",
      "must be at most 366",
    ],
    [
      { event: { name: "Page Viewed", withinDays: 0 } },
      "filter.event.withinDays",
      "window of zero days",
    ],
    [
      { event: { name: "Page Viewed", withinMinutes: 0 } },
      "filter.event.withinMinutes",
      "a window of zero minutes matches nothing; use at least 1 minute",
    ],
    [
      { event: { name: "Page Viewed", withinHours: 1.5 } },
      "filter.event.withinHours",
      "must be a whole number of hours; for part of an hour, use withinMinutes",
    ],
    [
      { event: { name: "Page Viewed", withinDays: 3651 } },
      "filter.event.withinDays",
      "must be at most 3650 days",
    ],
    [
      { event: { name: "Page Viewed", withinHours: 87_601 } },
      "filter.event.withinHours",
      "must be at most 87600 hours (3650 days)",
    ],
    [
      { event: { name: "Page Viewed", withinMinutes: 5_256_001 } },
      "filter.event.withinMinutes",
      "must be at most 5256000 minutes (3650 days)",
    ],
    [
      { event: { name: "Page Viewed", withinMinutes: "30" } },
      "filter.event.withinMinutes",
      "must be a whole number of minutes",
    ],
    [
      { event: { name: "Order Completed", withinDays: 1, withinHours: 2 } },
      "filter.event.withinHours",
      "set at most one of withinDays, withinHours, withinMinutes (withinDays is set too)",
    ],
    [
      { orders: { metric: "COUNT", op: "EQUALS", value: 0, withinHours: 2, withinMinutes: 30 } },
      "filter.orders.withinMinutes",
      "set at most one of withinDays, withinHours, withinMinutes (withinHours is set too)",
    ],
    [
      { purchased: { category: "hats", withinDays: 7, withinMinutes: 30 } },
      "filter.purchased.withinMinutes",
      "set at most one of withinDays, withinHours, withinMinutes (withinDays is set too)",
    ],
    [
      { event: { atLeast: 1, atMost: 2 } },
      "filter.event",
      "set at most one of atLeast, atMost, exactly",
    ],
    [{ score: {} }, "filter.score", "set min, max or both"],
    [{ score: { min: 5, max: 1 } }, "filter.score.max", "must not be below min"],
    [
      { consent: { statuses: ["MAYBE"] } },
      "filter.consent.statuses",
      'unknown consent status "MAYBE"',
    ],
    [{ orders: { metric: "PROFIT", op: "EXISTS" } }, "filter.orders.metric", "unknown metric"],
    [
      { eventTime: { name: "Signed Up", which: "SOMETIMES", op: "EXISTS" } },
      "filter.eventTime.which",
      "must be FIRST or LAST",
    ],
    [{ purchased: {} }, "filter.purchased", "set productId, category or both"],
    [{ inSegment: { segmentId: "vip" } }, "filter.inSegment.segmentId", "is not a segment id"],
    [{ tag: { name: "a" }, score: { min: 1 } }, "filter", "set exactly one of"],
    [{ or: "everyone" }, "filter.or", "must be a list of filters"],
    [{ not: "x" }, "filter.not", "must be an object"],
  ])("refuses %j at %s", (raw, path, words) => {
    const [problem] = problemsOf(raw);
    expect(problem?.path.join(".")).toBe(path);
    expect(problem?.message).toContain(words);
  });

  it("takes a window in days, hours or minutes; documents with withinDays read as before", () => {
    const windows = [
      { event: { name: "Order Completed", atMost: 0, withinHours: 2 } },
      { event: { name: "Product Viewed", withinMinutes: 30 } },
      { event: { name: "Page Viewed", withinMinutes: 1 } },
      { event: { name: "Page Viewed", withinMinutes: 5_256_000 } },
      { event: { name: "Page Viewed", withinHours: 87_600 } },
      { orders: { metric: "COUNT", op: "AT_LEAST", value: 2, withinHours: 24 } },
      { purchased: { productId: "p1", withinMinutes: 90 } },
      // As stored before windows in hours existed.
      { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
      { orders: { metric: "TOTAL_SPENT", op: "AT_LEAST", value: 100, withinDays: 30 } },
      { purchased: { category: "hats", withinDays: 3650 } },
    ];
    for (const filter of windows) expect(parseSegmentFilter(filter)).toEqual(filter);
    // GraphQL sends the window fields left out as null.
    expect(
      parseSegmentFilter({
        event: { name: "Page Viewed", withinDays: null, withinHours: 3, withinMinutes: null },
      }),
    ).toEqual({ event: { name: "Page Viewed", withinHours: 3 } });
  });

  it("names every extra window field", () => {
    expect(
      problemsOf({ event: { withinDays: 1, withinHours: 2, withinMinutes: 3 } }).map((p) =>
        p.path.join("."),
      ),
    ).toEqual(["filter.event.withinHours", "filter.event.withinMinutes"]);
  });

  it("names every problem, not just the first", () => {
    const problems = problemsOf({
      and: [{ tag: { name: "" } }, { score: { min: 1.5 } }],
    });
    expect(problems.map((p) => p.path.join("."))).toEqual([
      "filter.and.0.tag.name",
      "filter.and.1.score.min",
    ]);
  });

  it("bounds depth, size and list lengths", () => {
    let deep: unknown = { tag: { name: "vip" } };
    for (let level = 0; level < 9; level++) deep = { not: deep };
    expect(problemsOf(deep)[0]?.message).toContain("nest at most 8 levels");

    const many = { and: Array.from({ length: 61 }, () => ({ tag: { name: "vip" } })) };
    expect(problemsOf(many)[0]).toEqual({
      path: ["filter", "and", "60"],
      message: "a filter holds at most 60 conditions",
    });

    const wide = { or: Array.from({ length: 101 }, () => ({ or: [] })) };
    expect(problemsOf(wide)[0]?.message).toBe("at most 100 filters");
  });
});

describe("parsePropertyConditions", () => {
  it("parses a rule's conditions and names bad ones under the base path", () => {
    expect(
      parsePropertyConditions(
        [{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/p" }],
        ["conditions"],
      ),
    ).toEqual([{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/p" }]);
    expect(() =>
      parsePropertyConditions(
        [{ key: "path", type: "STRING", op: "AT_LEAST", value: 1 }],
        ["conditions"],
      ),
    ).toThrow("conditions.0.op: AT_LEAST does not apply to STRING values");
  });
});
