import { describe, expect, it } from "vitest";
import { htmlToPlainText } from "./text-part.ts";

describe("htmlToPlainText", () => {
  it("keeps links visible next to their text", () => {
    expect(htmlToPlainText('<p>See <a href="https://x.test/sale">our sale</a>.</p>')).toBe(
      "See our sale (https://x.test/sale).",
    );
  });

  it("prints a link once when its text is the URL", () => {
    expect(htmlToPlainText('<a href="https://x.test">https://x.test</a>')).toBe("https://x.test");
  });

  it("drops images, styles and elements marked to skip (the preheader)", () => {
    const html =
      '<style>p{color:red}</style><div data-cw-text="skip">Preview text</div><img src="a.png" alt="Logo"><h1>Hello</h1><p>Body</p>';
    expect(htmlToPlainText(html)).toBe("Hello\n\nBody");
  });

  it("lays out summary tables as aligned columns", () => {
    const html =
      '<table class="summary"><tr><td>Subtotal</td><td>$10.00</td></tr><tr><td>Total</td><td>$12.00</td></tr></table>';
    expect(htmlToPlainText(html)).toBe("Subtotal    $10.00\nTotal       $12.00");
  });
});
