import type { Template } from "liquidjs";
import { inlineCssKeepingLiquid } from "./css-inline.ts";
import type { TemplateEngine } from "./engine.ts";
import { baseLayout } from "./views.ts";

/** The Liquid sources of one email. `html` without an `<html>` element is wrapped in the layout. */
export interface EmailSource {
  subject: string;
  preheader?: string | null;
  html: string;
  /** Plain-text part; derived from the rendered HTML when absent. */
  text?: string | null;
  /**
   * Names sources that never change (a template version's id): the parsed email is cached
   * under it instead of under the sources' text, which saves hashing them on every render.
   */
  cacheKey?: string | null;
}

export interface CompiledHtml {
  /** What is rendered: the author's HTML (inside the layout for a fragment) with CSS inlined. */
  templates: Template[];
  /** The author's HTML parsed on its own, re-rendered to point at an error's exact position. */
  authored: Template[];
  /** Set when CSS could not be inlined ahead of time; it is then inlined after each render. */
  inlineAfterRender: boolean;
}

export interface CompiledEmail {
  subject: Template[];
  preheader: Template[] | null;
  html: CompiledHtml;
  text: Template[] | null;
}

const documentElement = /<html[\s>]/i;

/** True when the HTML is a whole document (has `<html>`), so it is not wrapped in the layout. */
export function isHtmlDocument(html: string): boolean {
  return documentElement.test(html);
}

/** Parses (once, cached on the engine) every part of an email; throws `TemplateRenderError`. */
export function compileEmail(engine: TemplateEngine, source: EmailSource): CompiledEmail {
  const key = source.cacheKey
    ? `key:${source.cacheKey}`
    : JSON.stringify([source.subject, source.preheader, source.html, source.text]);
  const cached = engine.compiledEmails.get(key);
  if (cached) return cached;
  const compiled: CompiledEmail = {
    subject: engine.parse("text", source.subject, "subject"),
    preheader: source.preheader ? engine.parse("text", source.preheader, "preheader") : null,
    html: compileHtml(engine, source.html),
    text: source.text ? engine.parse("text", source.text, "text") : null,
  };
  engine.compiledEmails.set(key, compiled);
  return compiled;
}

function compileHtml(engine: TemplateEngine, html: string): CompiledHtml {
  const authored = engine.parse("html", html, "html");
  const document = isHtmlDocument(html)
    ? html
    : `${baseLayout.beforeContent}${html}${baseLayout.afterContent}`;
  try {
    const templates = engine.parse("html", inlineCssKeepingLiquid(document), "html");
    return { templates, authored, inlineAfterRender: false };
  } catch {
    const templates = engine.parse("html", document, "html");
    return { templates, authored, inlineAfterRender: true };
  }
}
