import { readCells } from "../cells.ts";
import type { ImportKind, Mapped } from "../import-kind.ts";
import { jsonObject, stringField } from "./field-names.ts";

/**
 * Marketing spend per channel and day, sent to `recordMarketingSpend` (scope
 * `analytics:write`): CSV columns `channel`, `day` (the shop's local date, 2026-11-30) and
 * `amount` (major units of the shop currency). A repeat of a day and channel replaces it.
 */
export const spend: ImportKind = {
  name: "spend",
  scope: "analytics:write",
  mutationName: "recordMarketingSpend",
  mutation: `mutation RecordMarketingSpend($rows: [MarketingSpendEntryInput!]!) {
    recordMarketingSpend(input: { entries: $rows }) {
      __typename
      ... on MutationRecordMarketingSpendSuccess { result { createdCount updatedCount } }
      ... on InvalidInputError { problems { path message } }
      ... on Error { message }
    }
  }`,
  rowsField: "entries",
  maxBatch: 1000,
  csvColumns: ["channel", "day", "amount"],
  csvRequired: ["channel", "day", "amount"],
  csvProperties: false,
  fromCsv([row]): Mapped {
    const cells = readCells(row?.cells ?? {});
    const channel = cells.text("channel");
    const day = cells.text("day");
    const amount = cells.decimal("amount");
    if (channel === undefined) cells.problems.push({ field: "channel", message: "is required" });
    if (day === undefined) cells.problems.push({ field: "day", message: "is required" });
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      cells.problems.push({ field: "day", message: "must be a date like 2026-11-30" });
    }
    if (amount === undefined && cells.text("amount") === undefined) {
      cells.problems.push({ field: "amount", message: "is required" });
    }
    if (cells.problems.length > 0 || !channel || !day) {
      return { problems: cells.problems, id: channel && day ? `${day} ${channel}` : null };
    }
    return { input: { channel, day, amount }, id: `${day} ${channel}` };
  },
  fromJson(value): Mapped {
    const object = jsonObject(value);
    if (!object) return { problems: [{ field: "", message: "must be a JSON object" }], id: null };
    const channel = stringField(object, "channel");
    const day = stringField(object, "day");
    if (!channel || !day) {
      return {
        problems: [{ field: channel ? "day" : "channel", message: "is required" }],
        id: null,
      };
    }
    return { input: object, id: `${day} ${channel}` };
  },
  uniqueKeys: (input) => [`spend ${String(input.day)} ${String(input.channel)}`],
  fieldName: (path) => path.join("."),
};
