import type { z } from "zod";

/** A ready-made scenario: its options (with defaults) and how it builds its definition. */
export interface ScenarioBlueprint<Options extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  /** The library templates (by key) the definition sends. */
  templateKeys: readonly string[];
  options: Options;
  /** The definition document, from the parsed options and the installed template ids by key. */
  build(options: z.output<Options>, templateIds: Record<string, string>): Record<string, unknown>;
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
