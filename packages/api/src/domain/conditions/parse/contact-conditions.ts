import { z } from "zod";
import { consentStatuses } from "../../contacts/contact-input.ts";
import {
  type ContactFieldName,
  type PropertyType,
  propertyTypes,
  segmentContactFields,
} from "../filter.ts";
import { comparison } from "./comparison.ts";
import { dropNulls, fields, flag, isRecord, text, wholeNumber } from "./primitives.ts";

/** Picks one branch by the string in `key`; anything else gets `unknown` as its message. */
function oneOf<const K extends string>(
  key: K,
  branches: readonly [z.ZodDiscriminatedUnion, ...z.ZodDiscriminatedUnion[]],
  unknown: (value: unknown) => string,
) {
  return z.preprocess(
    dropNulls,
    z.discriminatedUnion(key, branches as never, {
      error: (issue) =>
        !isRecord(issue.input)
          ? "must be an object"
          : unknown((issue.input as Record<string, unknown> | undefined)?.[key]),
    }),
  );
}

/** `{ key, type, op, … }`: a custom property compared as its declared type. */
export const propertyCondition = oneOf(
  "type",
  propertyTypes.map((type: PropertyType) =>
    comparison(type, { key: text(200), type: z.literal(type) }),
  ) as never,
  (type) =>
    `unknown property type ${JSON.stringify(type ?? null)}; use one of ${propertyTypes.join(", ")}`,
);

const fieldNames = Object.keys(segmentContactFields) as ContactFieldName[];

/** `{ name, op, … }`: a contact column such as EMAIL or BIRTHDAY. */
export const fieldCondition = oneOf(
  "name",
  fieldNames.map((name) =>
    comparison(segmentContactFields[name].type, { name: z.literal(name) }),
  ) as never,
  () => `unknown contact field; use one of ${fieldNames.join(", ")}`,
);

export const tagCondition = fields({ name: text(100), has: flag(true) });

export const scoreCondition = fields({
  min: wholeNumber(-1e9).optional(),
  max: wholeNumber(-1e9).optional(),
}).superRefine((score, ctx) => {
  if (score.min === undefined && score.max === undefined) {
    ctx.addIssue({ code: "custom", message: "set min, max or both", path: [] });
  } else if (score.min !== undefined && score.max !== undefined && score.min > score.max) {
    ctx.addIssue({ code: "custom", message: "must not be below min", path: ["max"] });
  }
});

export const consentCondition = fields({
  statuses: z
    .array(z.unknown(), { error: "name at least one consent status" })
    .min(1, "name at least one consent status")
    .transform((statuses, ctx) => {
      const bad = statuses.find((s) => !(consentStatuses as readonly unknown[]).includes(s));
      if (bad === undefined) return [...new Set(statuses)] as (typeof consentStatuses)[number][];
      ctx.issues.push({
        code: "custom",
        message: `unknown consent status ${JSON.stringify(bad)}`,
        input: statuses,
      });
      return z.NEVER;
    }),
});
