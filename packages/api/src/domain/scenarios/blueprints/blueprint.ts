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
