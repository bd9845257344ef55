import juice from "juice";

const liquidMarkup = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const placeholder = /cwliquid(\d+)x(?:="")?/g;

const juiceOptions: juice.Options = {
  preserveImportant: true,
  preserveMediaQueries: true,
  removeStyleTags: true,
  applyWidthAttributes: true,
  applyAttributesTableElements: true,
};

/**
 * Inlines CSS into HTML that still contains Liquid markup, so it happens once per template
 * rather than once per recipient. Liquid tags and outputs are swapped for inert placeholders
 * while juice parses the HTML and put back verbatim afterwards.
 * With `css`, the HTML is a fragment (a partial) and that stylesheet is applied to it;
 * without, the document's own `<style>` blocks are used.
 *
 * @example inlineCssKeepingLiquid('<p class="a">{{ x }}</p>', ".a { color: red }")
 * // '<p class="a" style="color: red;">{{ x }}</p>'
 */
export function inlineCssKeepingLiquid(html: string, css?: string): string {
  const markup: string[] = [];
  const shielded = html.replace(liquidMarkup, (match) => {
    markup.push(match);
    return `cwliquid${markup.length - 1}x`;
  });
  const inlined =
    css === undefined
      ? juice(shielded, juiceOptions)
      : juice.inlineContent(shielded, css, juiceOptions);
  return inlined.replace(placeholder, (_match, index: string) => markup[Number(index)] ?? "");
}

/** Inlines the CSS of a rendered HTML document (the fallback when ahead-of-time inlining fails). */
export function inlineCss(html: string): string {
  return juice(html, juiceOptions);
}
