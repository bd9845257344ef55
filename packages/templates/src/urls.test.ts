import { describe, expect, it } from "vitest";
import { addUtmParameters, productUrl, resizeImageUrl } from "./urls.ts";

const utm = { utm_source: "cartwheel", utm_medium: "email", utm_campaign: "spring sale" };

describe("addUtmParameters", () => {
  it("starts a query string when there is none", () => {
    expect(addUtmParameters("https://shop.test/cart", utm)).toBe(
      "https://shop.test/cart?utm_source=cartwheel&utm_medium=email&utm_campaign=spring%20sale",
    );
  });

  it("appends to an existing query without re-encoding it", () => {
    expect(
      addUtmParameters("https://shop.test/s?q=red+shoes&size=%2042", { utm_source: "cw" }),
    ).toBe("https://shop.test/s?q=red+shoes&size=%2042&utm_source=cw");
  });

  it("keeps the fragment after the query", () => {
    expect(addUtmParameters("https://shop.test/p?id=1#reviews", { utm_medium: "email" })).toBe(
      "https://shop.test/p?id=1&utm_medium=email#reviews",
    );
    expect(addUtmParameters("https://shop.test/p#top", { utm_medium: "email" })).toBe(
      "https://shop.test/p?utm_medium=email#top",
    );
  });

  it("does not override UTM values already in the link", () => {
    expect(addUtmParameters("https://shop.test/?utm_source=partner", utm)).toBe(
      "https://shop.test/?utm_source=partner&utm_medium=email&utm_campaign=spring%20sale",
    );
  });

  it("leaves non-http links, trailing separators and empty values alone", () => {
    expect(addUtmParameters("mailto:help@shop.test", utm)).toBe("mailto:help@shop.test");
    expect(addUtmParameters("/relative", utm)).toBe("/relative");
    expect(addUtmParameters("https://shop.test/?", { utm_source: "cw", utm_content: null })).toBe(
      "https://shop.test/?utm_source=cw",
    );
  });
});

describe("resizeImageUrl", () => {
  it("sets width and height parameters", () => {
    expect(resizeImageUrl("https://cdn.test/a.jpg?v=2", "300x200")).toBe(
      "https://cdn.test/a.jpg?v=2&width=300&height=200",
    );
    expect(resizeImageUrl("https://cdn.test/a.jpg", 480)).toBe("https://cdn.test/a.jpg?width=480");
  });

  it("ignores sizes it does not understand", () => {
    expect(resizeImageUrl("https://cdn.test/a.jpg", "large")).toBe("https://cdn.test/a.jpg");
  });
});

describe("productUrl", () => {
  it("carries a recommended product's block and strategy on its link", () => {
    expect(
      productUrl(
        { url: "/p/mug?colour=red#top", block: "cross_sell", strategy: "bestsellers" },
        "https://shop.test",
      ),
    ).toBe("https://shop.test/p/mug?colour=red&cw_block=cross_sell&cw_strategy=bestsellers#top");
    expect(productUrl({ handle: "mug", strategy: "upsell" }, "https://shop.test")).toBe(
      "https://shop.test/products/mug?cw_strategy=upsell",
    );
  });

  it("resolves handles and relative URLs against the shop", () => {
    expect(productUrl({ handle: "red-shoe" }, "https://shop.test/de")).toBe(
      "https://shop.test/de/products/red-shoe",
    );
    expect(productUrl({ url: "/products/mug" }, "https://shop.test")).toBe(
      "https://shop.test/products/mug",
    );
    expect(productUrl({ url: "https://other.test/x", handle: "y" }, "https://shop.test")).toBe(
      "https://other.test/x",
    );
    expect(productUrl("candle", "https://shop.test/")).toBe("https://shop.test/products/candle");
  });
});
