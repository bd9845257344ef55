import type { z } from "zod";
import type { SegmentTemplateKey } from "../../segments/playbook.ts";

/**
 * The segment a blueprint's definition names: the workspace's own (`segmentId`, chosen in the
 * options), else a ready-made one of the segment playbook, installed once.
 */
export interface BlueprintSegment {
  segmentId?: string | undefined;
  playbook: { key: SegmentTemplateKey; vipMinimumSpend?: number; unengagedDays?: number };
}

/** What a definition refers to beyond its options, installed or checked before it is built. */
export interface BlueprintReferences {
  segmentId: string | null;
}

/** A ready-made scenario: its options (with defaults) and how it builds its definition. */
export interface ScenarioBlueprint<Options extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  /** The library templates (by key) the definition sends. */
  templateKeys: readonly string[];
  /** The tags the definition adds or removes; made when the workspace lacks them. */
  tags?(options: z.output<Options>): string[];
  /** The segment the definition names, if any. */
  segment?(options: z.output<Options>): BlueprintSegment;
  options: Options;
  /** The definition document, from the parsed options and the installed template ids by key. */
  build(
    options: z.output<Options>,
    templateIds: Record<string, string>,
    references: BlueprintReferences,
  ): Record<string, unknown>;
}

/** Declares a blueprint with its options typed from its schema. */
export const blueprint = <Options extends z.ZodType>(
  definition: ScenarioBlueprint<Options>,
): ScenarioBlueprint<Options> => definition;

/**
 * A coupon as the library templates read it: `{{ coupon.code }}`, `{{ coupon.description }}`
 * and, when given, `{{ coupon.expires_at }}` (an ISO date; the templates show "Valid until").
 *
 * @example percentCoupon("WELCOME10", 10) // { code: "WELCOME10", description: "10% off" }
 */
export function percentCoupon(
  code: string,
  percent: number,
  expiresAt?: string,
): { code: string; description: string; expires_at?: string } {
  return { code, description: `${percent}% off`, ...(expiresAt && { expires_at: expiresAt }) };
}
