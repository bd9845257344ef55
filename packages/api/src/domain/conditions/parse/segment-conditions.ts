import { z } from "zod";
import { isUuid } from "../../shared/validation.ts";
import { fields, flag } from "./primitives.ts";

/** In (or not in) another segment of the workspace, by id. */
export const inSegmentCondition = fields({
  segmentId: z
    .string({ error: "is not a segment id" })
    .refine(isUuid, "is not a segment id")
    .transform((id) => id.toLowerCase()),
  isMember: flag(true),
});
