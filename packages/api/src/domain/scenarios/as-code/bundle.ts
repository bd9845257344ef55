import { z } from "zod";

/** The format of a scenarios bundle: scenarios with the templates and segments they use. */
export const bundleFormat = "cartwheel.scenarios/1";

const template = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().nullable().optional(),
  kind: z.enum(["MARKETING", "TRANSACTIONAL"]),
  subject: z.string(),
  preheader: z.string().nullable().optional(),
  html: z.string(),
  text: z.string().nullable().optional(),
  fromName: z.string().nullable().optional(),
  fromEmail: z.string().nullable().optional(),
});

const segment = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().nullable().optional(),
  /** The filter, with `segment: "<name>"` where it names another segment. */
  filter: z.unknown(),
});

const scenario = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().nullable().optional(),
  priority: z.number().int().default(0),
  /** LIVE scenarios are published on import when their definition changed; others stay drafts. */
  status: z.enum(["DRAFT", "LIVE", "PAUSED"]).default("DRAFT"),
  /** The definition, with `template`, `segment` and `scenario` names instead of ids. */
  definition: z.unknown(),
});

export const bundleSchema = z.object({
  format: z.literal(bundleFormat, { error: `must be "${bundleFormat}"` }),
  templates: z.array(template).max(500).default([]),
  segments: z.array(segment).max(500).default([]),
  scenarios: z.array(scenario).max(500).default([]),
});
export type ScenarioBundle = z.input<typeof bundleSchema>;
export type ParsedBundle = z.output<typeof bundleSchema>;
