import { z } from "zod";
import { requiredDataList } from "./required-data.ts";

export const templateKinds = ["MARKETING", "TRANSACTIONAL"] as const;

const liquid = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** The editable content of a template; Liquid in subject, preheader, html and text. */
export const templateFields = {
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().trim().max(1000).nullable().optional(),
  kind: z.enum(templateKinds),
  subject: liquid(2000).trim().min(1, "must not be empty"),
  preheader: liquid(2000).nullable().optional(),
  html: liquid(500_000).min(1, "must not be empty"),
  text: liquid(500_000).nullable().optional(),
  fromName: z.string().trim().min(1).max(200).nullable().optional(),
  fromEmail: z.email().nullable().optional(),
  /** Variables a send must give (`order.number`); a send without one is refused. */
  requiredData: requiredDataList.optional(),
};

export const createTemplateInput = z.object(templateFields);
export type CreateTemplateInput = z.input<typeof createTemplateInput>;

export const updateTemplateInput = z.object({
  ...templateFields,
  name: templateFields.name.optional(),
  kind: templateFields.kind.optional(),
  subject: templateFields.subject.optional(),
  html: templateFields.html.optional(),
});
export type UpdateTemplateInput = z.input<typeof updateTemplateInput>;

/** The columns a version copies; a change to any of them makes a new version. */
export const versionedColumns = [
  "name",
  "kind",
  "subject",
  "preheader",
  "html",
  "text",
  "fromName",
  "fromEmail",
] as const;
