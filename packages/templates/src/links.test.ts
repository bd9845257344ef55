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

describe("rewriteLinks without a DOM", () => {
  it("handles quoting, case, attribute order and a > inside a value", () => {
    const html = [
      "<A class='c' HREF='https://shop.test/a?x=\"1\"' title=\"a > b\">a</A>",
      "<a href=https://shop.test/b>b</a>",
      '<a title="x" href = "https://shop.test/c" href="https://evil.test">c</a>',
    ].join("");
    expect(rewriteLinks(html, track)).toBe(
      [
        `<A class='c' href="${track('https://shop.test/a?x="1"').replaceAll("&", "&amp;")}" title="a > b">a</A>`,
        `<a href="${track("https://shop.test/b")}">b</a>`,
        `<a title="x" href="${track("https://shop.test/c")}" href="https://evil.test">c</a>`,
      ].join(""),
    );
  });

  it("skips links with a scheme it does not track, whatever the case or padding", () => {
    const html = '<a href=" MAILTO:a@b.c ">m</a><a href="SMS:+1">s</a><a href="{{ url }}">l</a>';
    expect(rewriteLinks(html, track)).toBe(html);
  });

  it("leaves links in comments, styles and scripts alone", () => {
    const html =
      '<!--[if mso]><a href="https://shop.test/mso">x</a><![endif]--><style>a[href="https://shop.test/s"]{}</style><script>"<a href=\'https://shop.test/j\'>"</script>';
    expect(rewriteLinks(html, track)).toBe(html);
    const shouting = '<STYLE>a[href="https://shop.test/s"] { color: red }</STYLE>';
    expect(rewriteLinks(shouting, track)).toBe(shouting);
  });

  it("does not take other elements or look-alike tags for links", () => {
    const html =
      '<abbr href="https://shop.test/x">a</abbr><area href="https://shop.test/y"><link href="https://shop.test/z">';
    expect(rewriteLinks(html, track)).toBe(html);
  });

  it("removes the no-track marker from any element and in any form, and only the marker", () => {
    const html =
      '<a DATA-CW-NO-TRACK="" href="https://shop.test/u">u</a><span data-cw-no-track class="s">x</span><a href="https://shop.test/data-cw-no-track">p</a>';
    expect(rewriteLinks(html, track)).toBe(
      `<a href="https://shop.test/u">u</a><span class="s">x</span><a href="${track("https://shop.test/data-cw-no-track")}">p</a>`,
    );
  });

  it("copes with broken markup: an unclosed comment or tag is left as is", () => {
    expect(rewriteLinks('<p>x</p><!-- <a href="https://shop.test/a">', track)).toBe(
      '<p>x</p><!-- <a href="https://shop.test/a">',
    );
    expect(rewriteLinks('<a href="https://shop.test/a"', track)).toBe(
      '<a href="https://shop.test/a"',
    );
    expect(rewriteLinks('<a href="https://shop.test/a">a</a><a title="x', track)).toBe(
      `<a href="${track("https://shop.test/a")}">a</a><a title="x`,
    );
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
