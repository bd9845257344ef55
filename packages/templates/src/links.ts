import { decodeHTMLAttribute, escapeAttribute } from "entities";

const untrackedScheme = /^(mailto:|tel:|sms:|#|\{\{|\{%)/i;
const noTrackAttribute = "data-cw-no-track";

/** Elements whose content is text, not markup: links inside them are not links. */
const rawTextElements = new Set(["style", "script", "textarea", "title", "xmp", "noscript"]);
const tagName = /[a-z][^\s/>]*/iy;
/** One attribute: name, then an optional double-quoted, single-quoted or unquoted value. */
const attribute = /(\s*)([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/**
 * Rewrites every `<a href>` through `rewrite` (for click tracking). Skips `mailto:`, `tel:`,
 * `sms:`, in-page `#anchors`, empty links and links marked `data-cw-no-track` (the unsubscribe
 * and preferences links of the footer); the marker attribute itself is removed from the output,
 * on any element. `rewrite` receives the href as written in the HTML (entities such as `&amp;`
 * decoded). Links inside comments, `<style>` and `<script>` are left alone, and everything but
 * the rewritten attributes is written back byte for byte. One linear scan, no DOM; from an
 * unterminated tag or comment on, the rest is left as is.
 *
 * @example rewriteLinks(html, (href) => `https://t.shop.test/c?u=${encodeURIComponent(href)}`)
 */
export function rewriteLinks(html: string, rewrite: (href: string) => string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  let lowerCase: string | undefined;
  let at = html.indexOf("<");
  while (at !== -1) {
    if (html.startsWith("<!--", at)) {
      const end = html.indexOf("-->", at + 4);
      if (end === -1) break;
      at = html.indexOf("<", end + 3);
      continue;
    }
    tagName.lastIndex = at + 1;
    const name = tagName.exec(html)?.[0];
    if (name === undefined) {
      at = html.indexOf("<", at + 1);
      continue;
    }
    const attributesStart = at + 1 + name.length;
    const tagEnd = endOfTag(html, attributesStart);
    if (tagEnd === -1) break;
    const lowerName = name.toLowerCase();
    let next = tagEnd + 1;
    if (rawTextElements.has(lowerName)) {
      lowerCase ??= html.toLowerCase();
      const close = lowerCase.indexOf(`</${lowerName}`, next);
      if (close === -1) break;
      next = close;
    } else {
      const attributes = html.slice(attributesStart, tagEnd);
      const isLink = lowerName === "a";
      if (isLink || attributes.toLowerCase().includes(noTrackAttribute)) {
        parts.push(html.slice(copiedUpTo, at), `<${name}`);
        parts.push(rewriteAttributes(attributes, isLink, rewrite), ">");
        copiedUpTo = tagEnd + 1;
      }
    }
    at = html.indexOf("<", next);
  }
  if (copiedUpTo === 0) return html;
  parts.push(html.slice(copiedUpTo));
  return parts.join("");
}

/** The index of the `>` closing a start tag, skipping quoted values; -1 when there is none. */
function endOfTag(html: string, from: number): number {
  let quote = 0;
  for (let index = from; index < html.length; index++) {
    const code = html.charCodeAt(index);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 0x22 || code === 0x27) {
      quote = code;
    } else if (code === 0x3e) {
      return index;
    }
  }
  return -1;
}

function rewriteAttributes(
  attributes: string,
  isLink: boolean,
  rewrite: (href: string) => string,
): string {
  let noTrack = false;
  let href: { start: number; end: number; value: string } | null = null;
  const kept: string[] = [];
  let last = 0;
  for (const match of attributes.matchAll(attribute)) {
    const start = match.index;
    const end = start + match[0].length;
    const attributeName = (match[2] ?? "").toLowerCase();
    if (attributeName === noTrackAttribute) {
      noTrack = true;
      kept.push(attributes.slice(last, start));
      last = end;
    } else if (isLink && attributeName === "href" && href === null) {
      href = { start, end, value: match[3] ?? match[4] ?? match[5] ?? "" };
    }
  }
  if (isLink && !noTrack && href !== null) {
    const decoded = decodeHTMLAttribute(href.value).trim();
    if (decoded !== "" && !untrackedScheme.test(decoded)) {
      const leading = /^\s*/.exec(attributes.slice(href.start, href.end))?.[0] ?? " ";
      return `${attributes.slice(0, href.start)}${leading}href="${escapeAttribute(rewrite(decoded))}"${attributes.slice(href.end)}`;
    }
  }
  if (!noTrack) return attributes;
  kept.push(attributes.slice(last));
  return kept.join("");
}

/**
 * Adds a 1×1 open-tracking image just before `</body>` (at the end for a fragment).
 *
 * @example insertOpenPixel(html, "https://t.shop.test/o/abc.gif")
 */
export function insertOpenPixel(html: string, pixelUrl: string): string {
  const pixel = `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;" data-cw-text="skip">`;
  const bodyEnd = html.search(/<\/body\s*>/i);
  if (bodyEnd === -1) return `${html}${pixel}`;
  return `${html.slice(0, bodyEnd)}${pixel}\n${html.slice(bodyEnd)}`;
}
