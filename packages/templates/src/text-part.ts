import { compile } from "html-to-text";

const convert = compile({
  wordwrap: 78,
  selectors: [
    { selector: "img", format: "skip" },
    { selector: "[data-cw-text=skip]", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "title", format: "skip" },
    { selector: "a", options: { hideLinkHrefIfSameAsText: true, linkBrackets: ["(", ")"] } },
    { selector: "h1", options: { uppercase: false, leadingLineBreaks: 2 } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "table", format: "block" },
    { selector: "tr", format: "block" },
    { selector: "td", format: "block" },
    {
      selector: "table.summary",
      format: "dataTable",
      options: { uppercaseHeaderCells: false, colSpacing: 4, maxColumnWidth: 50 },
    },
  ],
});

/**
 * Derives the plain-text part of an email from its HTML: links stay visible as
 * `text (https://…)`, images, the hidden preheader and the header are left out, and lines wrap
 * at 78 characters.
 *
 * @example htmlToPlainText('<p>See <a href="https://x.test">our sale</a></p>') // "See our sale (https://x.test)"
 */
export function htmlToPlainText(html: string): string {
  return convert(html).trim();
}
