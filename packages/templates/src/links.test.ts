import { describe, expect, it } from "vitest";
import { insertOpenPixel, rewriteLinks } from "./links.ts";

const track = (href: string) => `https://t.test/c?u=${encodeURIComponent(href)}`;

describe("rewriteLinks", () => {
  it("rewrites http links and passes the decoded href", () => {
    const html = '<p><a href="https://shop.test/?a=1&amp;b=2" class="x">Shop</a></p>';
    expect(rewriteLinks(html, track)).toBe(
      '<p><a href="https://t.test/c?u=https%3A%2F%2Fshop.test%2F%3Fa%3D1%26b%3D2" class="x">Shop</a></p>',
    );
  });

  it("skips mailto, tel, anchors, empty and no-track links", () => {
    const html = [
      '<a href="mailto:a@b.c">m</a>',
      '<a href="tel:+4912345">t</a>',
      '<a href="#top">top</a>',
      '<a href="">empty</a>',
      '<a href="https://shop.test/unsubscribe" data-cw-no-track>u</a>',
    ].join("");
    const rewritten = rewriteLinks(html, track);
    expect(rewritten).not.toContain("t.test");
    expect(rewritten).toContain('<a href="https://shop.test/unsubscribe">u</a>');
  });

  it("leaves the rest of the document untouched", () => {
    const html =
      "<!DOCTYPE html><html><head><style>@media (max-width: 600px) { .a { width: 100% } }</style></head><body><p>&nbsp;Caf&eacute; &amp; more</p></body></html>";
    expect(rewriteLinks(html, track)).toBe(html);
  });
});

describe("insertOpenPixel", () => {
  it("puts the pixel just before </body>", () => {
    const html = insertOpenPixel(
      "<html><body><p>Hi</p></body></html>",
      "https://t.test/o?id=1&x=2",
    );
    expect(html).toMatch(/<p>Hi<\/p><img src="https:\/\/t\.test\/o\?id=1&amp;x=2"[^>]*>\n<\/body>/);
  });

  it("appends to a fragment", () => {
    expect(insertOpenPixel("<p>Hi</p>", "https://t.test/o")).toMatch(/^<p>Hi<\/p><img /);
  });
});
