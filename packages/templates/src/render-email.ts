import { type CompiledHtml, compileEmail, type EmailSource } from "./compile-email.ts";
import { inlineCss } from "./css-inline.ts";
import type { TemplateEngine } from "./engine.ts";
import { TemplateErrorKind, TemplateRenderError } from "./errors.ts";
import type { TemplateData } from "./template-data.ts";
import { htmlToPlainText } from "./text-part.ts";

export interface RenderedEmail {
  subject: string;
  /** Rendered preheader (empty when none); also placed, hidden, at the top of `html`. */
  preheader: string;
  html: string;
  text: string;
}

/**
 * Renders an email's subject, preheader, HTML and text with `data`.
 *
 * - HTML without an `<html>` element is a fragment: it goes into the base layout (header,
 *   hidden preheader, footer with `unsubscribe_url`, `preferences_url` and the postal address).
 *   A full document is used as written; it may print `{{ preheader }}` itself.
 * - CSS is inlined (juice) once per template, ahead of time; outputs are HTML-escaped.
 * - `subject`, `preheader` and `text` are plain text: not escaped, whitespace collapsed in the
 *   first two. Without `text`, the text part is derived from the HTML, links kept visible.
 * - Parsed templates are cached on the engine, keyed by the sources.
 *
 * Throws `TemplateRenderError` (with `part`, `line`, `column`) for any Liquid error or limit.
 *
 * @example
 * const { subject, html, text } = await renderEmail(engine, { subject: "Hi {{ contact.first_name }}", html: "<p>Welcome!</p>" }, data);
 */
export async function renderEmail(
  engine: TemplateEngine,
  source: EmailSource,
  data: TemplateData,
): Promise<RenderedEmail> {
  const compiled = compileEmail(engine, source);
  const subject = singleLine(engine.render("text", compiled.subject, data, "subject"));
  const preheader = compiled.preheader
    ? singleLine(engine.render("text", compiled.preheader, data, "preheader"))
    : "";
  const scope = { ...data, subject, preheader };
  const html = renderHtml(engine, compiled.html, scope);
  const text = compiled.text
    ? engine.render("text", compiled.text, scope, "text").trim()
    : htmlToPlainText(html);
  return { subject, preheader, html, text };
}

function renderHtml(engine: TemplateEngine, compiled: CompiledHtml, scope: object): string {
  try {
    const html = engine.render("html", compiled.templates, scope, "html");
    return compiled.inlineAfterRender ? inlineCss(html) : html;
  } catch (error) {
    throw locateInAuthoredSource(engine, compiled, scope, error);
  }
}

/**
 * The rendered template has the layout around it and CSS inlined, so its positions are not the
 * author's. Rendering the author's own source again yields the same error at the right spot.
 */
function locateInAuthoredSource(
  engine: TemplateEngine,
  compiled: CompiledHtml,
  scope: object,
  error: unknown,
): unknown {
  if (!(error instanceof TemplateRenderError) || error.kind === TemplateErrorKind.Limit) {
    return error;
  }
  try {
    engine.render("html", compiled.authored, scope, "html");
  } catch (authoredError) {
    if (authoredError instanceof TemplateRenderError) return authoredError;
  }
  return error;
}

function singleLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}
