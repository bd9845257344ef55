import { load } from "cheerio";
import { decodeHTMLAttribute, escapeAttribute } from "entities";

const untrackedScheme = /^(mailto:|tel:|sms:|#|\{\{|\{%)/i;
const noTrackAttribute = "data-cw-no-track";

/** Parses with htmlparser2 and leaves entities alone, so untouched markup is written back as is. */
function parseHtml(html: string) {
  return load(html, { xml: { xmlMode: false, decodeEntities: false } });
}

/**
 * Rewrites every `<a href>` through `rewrite` (for click tracking). Skips `mailto:`, `tel:`,
 * `sms:`, in-page `#anchors`, empty links and links marked `data-cw-no-track` (the unsubscribe
 * and preferences links of the footer); the marker attribute itself is removed from the output.
 * `rewrite` receives the href as written in the HTML (entities such as `&amp;` decoded).
 *
 * @example rewriteLinks(html, (href) => `https://t.shop.test/c?u=${encodeURIComponent(href)}`)
 */
export function rewriteLinks(html: string, rewrite: (href: string) => string): string {
  const $ = parseHtml(html);
  $("a[href]").each((_index, element) => {
    const link = $(element);
    if (link.attr(noTrackAttribute) !== undefined) {
      link.removeAttr(noTrackAttribute);
      return;
    }
    const href = decodeHTMLAttribute(link.attr("href") ?? "").trim();
    if (href === "" || untrackedScheme.test(href)) return;
    link.attr("href", escapeAttribute(rewrite(href)));
  });
  $(`[${noTrackAttribute}]`).removeAttr(noTrackAttribute);
  return $.html();
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
