import { describe, expect, it } from "vitest";
import { inBatches, parseContactsCsv, rowErrors } from "./csv-import.ts";

describe("CSV import", () => {
  it("reads the columns in any order and case, splits tags on | and numbers lines", () => {
    const csv =
      '\uFEFFFirst_Name,EMAIL,tags,last_name\n"Ann, Jr.",ann@example.com,vip| new ,Lee\n\nBob,bob@example.com,,\n';
    expect(parseContactsCsv(csv)).toEqual({
      rows: [
        {
          line: 2,
          contact: {
            email: "ann@example.com",
            firstName: "Ann, Jr.",
            lastName: "Lee",
            tags: ["vip", "new"],
          },
        },
        { line: 3, contact: { email: "bob@example.com", firstName: "Bob" } },
      ],
    });
  });

  it("refuses a file without an email column or with broken quoting", () => {
    expect(parseContactsCsv("name\nAnn")).toEqual({
      error: expect.stringContaining("email column"),
    });
    expect(parseContactsCsv('email\n"ann@example.com')).toEqual({
      error: expect.stringContaining("Not a readable CSV"),
    });
  });

  it("batches by 1,000 and points the API's problems at CSV lines", () => {
    const rows = Array.from({ length: 2001 }, (_, i) => ({
      line: i + 2,
      contact: { email: `c${i}@example.com` },
    }));
    const batches = inBatches(rows);
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 1]);
    expect(
      rowErrors(
        [
          { path: ["contacts", "3", "email"], message: "is not a valid email address" },
          { path: ["contacts"], message: "at most 1,000" },
        ],
        batches[1]!,
      ),
    ).toEqual([
      {
        line: 1005,
        email: "c1003@example.com",
        field: "email",
        message: "is not a valid email address",
      },
      { line: 0, email: "", field: "contacts", message: "at most 1,000" },
    ]);
  });
});
