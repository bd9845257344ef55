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
