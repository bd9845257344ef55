import { describe, expect, it } from "vitest";
import { formatMoney } from "./money.ts";

// Intl puts a no-break space (U+00A0) or narrow no-break space (U+202F) between amount and symbol.
const normalizeSpaces = (value: string) => value.replace(/[\u00a0\u202f]/g, " ");

describe("formatMoney", () => {
  it.each([
    [1999, "EUR", "de-DE", "19,99 €"],
    [1999, "USD", "en-US", "$19.99"],
    [123456, "EUR", "fr-FR", "1 234,56 €"],
    [1999, "GBP", "en-GB", "£19.99"],
    [1999, "JPY", "ja-JP", "￥1,999"],
    [1999, "KWD", "en-US", "KWD 1.999"],
    [-500, "USD", "en-US", "-$5.00"],
    [0, "CHF", "de-CH", "CHF 0.00"],
  ])("formats %i %s in %s as %s", (amount, currency, locale, expected) => {
    expect(normalizeSpaces(formatMoney(amount, currency, locale))).toBe(expected);
  });

  it("accepts lower-case currency codes", () => {
    expect(formatMoney(250, "usd", "en-US")).toBe("$2.50");
  });
});
