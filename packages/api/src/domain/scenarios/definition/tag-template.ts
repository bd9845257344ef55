/**
 * A tag name that takes part of itself from the run's trigger event, such as
 * `interest:{{ event.category }}`. The only variables are the trigger's properties
 * (`event.<property>`, a plain name); nothing else of Liquid is understood.
 */
const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const variable = /^event\.([A-Za-z_][A-Za-z0-9_]{0,63})$/;

/** Whether the tag name has placeholders (and is rendered per run, not a tag that must exist). */
export const isTagTemplate = (tag: string): boolean => tag.includes("{{") || tag.includes("}}");

/**
 * What is wrong with a tag template, or null when it is a plain name or a valid template.
 *
 * @example tagTemplateProblem("interest:{{ event.category }}") // null
 * @example tagTemplateProblem("{{ contact.email }}") // 'uses "contact.email"; …'
 */
export function tagTemplateProblem(tag: string): string | null {
  if (!isTagTemplate(tag)) return null;
  let rest = tag;
  for (const [whole, expression = ""] of tag.matchAll(placeholder)) {
    if (!variable.test(expression)) {
      return `uses "${expression}"; a tag may only use {{ event.<property> }}, such as interest:{{ event.category }}`;
    }
    rest = rest.replace(whole, "");
  }
  if (rest.includes("{{") || rest.includes("}}")) return "has an unclosed {{ or a stray }}";
  return null;
}

/** The trigger properties a tag template reads. */
export function tagTemplateProperties(tag: string): string[] {
  return [...tag.matchAll(placeholder)].flatMap(([, expression = ""]) => {
    const key = variable.exec(expression)?.[1];
    return key ? [key] : [];
  });
}

/**
 * The tag name for one run: each placeholder replaced by the trigger's property (a string or
 * number, trimmed). A property that is missing, empty or not a scalar gives `{ missing }`.
 *
 * @example renderTagTemplate("interest:{{ event.category }}", { category: "lamps" })
 * // { tag: "interest:lamps" }
 */
export function renderTagTemplate(
  tag: string,
  properties: Record<string, unknown>,
): { tag: string } | { missing: string } {
  for (const key of tagTemplateProperties(tag)) {
    const value = properties[key];
    const text = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
    if (text === "") return { missing: key };
  }
  return {
    tag: tag
      .replace(placeholder, (_, expression: string) => {
        const key = variable.exec(expression)?.[1] ?? "";
        return String(properties[key]).trim();
      })
      .trim(),
  };
}
