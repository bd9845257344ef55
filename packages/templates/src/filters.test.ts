import { describe, expect, it } from "vitest";
import { sampleData } from "../tests/sample-data.ts";
import { makeTemplateEngine } from "./engine.ts";
import type { TemplateData } from "./template-data.ts";

const engine = makeTemplateEngine({ strict: true });

function render(source: string, data: TemplateData = sampleData()): string {
  return engine.render("html", engine.parse("html", source, "html"), data, "html");
}

const nbsp = /[\u00a0\u202f]/g;

describe("money", () => {
  it("formats minor units with explicit currency and locale", () => {
    expect(render('{{ 1999 | money: "EUR", "de-DE" }}').replace(nbsp, " ")).toBe("19,99 €");
    expect(render('{{ 1999 | money: "USD", "en-US" }}')).toBe("$19.99");
  });

  it("defaults currency and locale to the shop's", () => {
    expect(render("{{ 250000 | money }}").replace(nbsp, " ")).toBe("2.500,00 €");
    const data = sampleData();
    data.shop = { ...data.shop, currency: "JPY", locale: "ja-JP" };
    expect(render("{{ 1999 | money }}", data)).toBe("￥1,999");
  });

  it("prints nothing for a missing amount", () => {
    expect(render("[{{ nothing | money }}]", { ...sampleData(), nothing: null })).toBe("[]");
  });
});

describe("date", () => {
  const instant = "2025-03-01T23:30:00Z";

  it("uses the contact's time zone", () => {
    const berlin = sampleData();
    const newYork = sampleData({ contact: { email: "x@y.z", timezone: "America/New_York" } });
    expect(render(`{{ "${instant}" | date: "%Y-%m-%d %H:%M" }}`, berlin)).toBe("2025-03-02 00:30");
    expect(render(`{{ "${instant}" | date: "%Y-%m-%d %H:%M" }}`, newYork)).toBe("2025-03-01 18:30");
  });

  it("formats Intl styles in the contact's locale, falling back to the shop's", () => {
    const data = sampleData({
      contact: { email: "x@y.z", locale: "en-US", timezone: "Asia/Tokyo" },
    });
    expect(render(`{{ "${instant}" | date: "long" }}`, data)).toBe("March 2, 2025");
    expect(render(`{{ "${instant}" | date: "long" }}`)).toBe("2. März 2025");
  });

  it("falls back to the shop's zone, then UTC, and lets an argument override", () => {
    const noZone = sampleData({ contact: { email: "x@y.z" } });
    expect(render(`{{ "${instant}" | date: "%H:%M" }}`, noZone)).toBe("23:30");
    noZone.shop = { ...noZone.shop, timezone: "Asia/Kolkata" };
    expect(render(`{{ "${instant}" | date: "%H:%M" }}`, noZone)).toBe("05:00");
    expect(render(`{{ "${instant}" | date: "%H:%M", "America/Los_Angeles" }}`)).toBe("15:30");
  });

  it("shows a calendar day as that day in any zone", () => {
    const data = sampleData({
      contact: { email: "x@y.z", locale: "en-US", timezone: "America/Los_Angeles" },
    });
    expect(render(`{{ "2025-03-31" | date: "long" }}`, data)).toBe("March 31, 2025");
    expect(render(`{{ "2025-03-31" | date: "%d.%m.%Y" }}`, data)).toBe("31.03.2025");
    expect(render(`{{ "2025-03-31T01:00:00Z" | date: "%d.%m.%Y" }}`, data)).toBe("30.03.2025");
  });
});

describe("pluralize and default", () => {
  it("picks the singular only for one", () => {
    expect(render('{{ 1 | pluralize: "item", "items" }}')).toBe("item");
    expect(
      render('{{ 0 | pluralize: "item", "items" }}/{{ 3 | pluralize: "item", "items" }}'),
    ).toBe("items/items");
  });

  it("default works on missing variables even in strict mode", () => {
    expect(render('{{ contact.nickname | default: "friend" }}')).toBe("friend");
    expect(render('{{ contact.first_name | default: "friend" }}')).toBe("Ada");
  });
});

describe("links", () => {
  it("image_url sizes images and product_url resolves handles", () => {
    const data = {
      ...sampleData(),
      product: { handle: "red-shoe", image_url: "https://cdn.test/r.jpg" },
    };
    expect(render("{{ product.image_url | image_url: 300 }}", data)).toBe(
      "https://cdn.test/r.jpg?width=300",
    );
    expect(render("{{ product | image_url: '100x50' | raw }}", data)).toBe(
      "https://cdn.test/r.jpg?width=100&height=50",
    );
    expect(render("{{ product | product_url }}", data)).toBe("https://acme.test/products/red-shoe");
  });

  it("utm tags links (escaped as HTML in output)", () => {
    expect(render('{{ "https://acme.test/?a=1#x" | utm: "spring", "hero" }}')).toBe(
      "https://acme.test/?a=1&amp;utm_source=cartwheel&amp;utm_medium=email&amp;utm_campaign=spring&amp;utm_content=hero#x",
    );
  });
});

describe("product_grid", () => {
  it("renders one card per item in rows of the requested columns", () => {
    const items = [1, 2, 3].map((n) => ({ id: `p${n}`, name: `Item ${n}`, price: n * 1000 }));
    const html = render('{% product_grid items, columns: 2, button: "Buy" %}', {
      ...sampleData(),
      items,
    });
    expect(html.match(/<tr>\s*<td class="grid-cell"/g)).toHaveLength(2);
    expect(html.match(/class="card"/g)).toHaveLength(3);
    expect(html).toContain("Item 3");
    expect(html.replace(nbsp, " ")).toContain("30,00 €");
    expect(html.match(/>Buy</g)).toHaveLength(3);
  });

  it("says which items are out of stock", () => {
    const items = [
      { product_id: "a", name: "Gone", price: 1000, quantity: 1, in_stock: false },
      { product_id: "b", name: "Here", price: 1000, quantity: 1, in_stock: true },
    ];
    const html = render("{% product_grid items %}", { ...sampleData(), items });
    expect(html.match(/Out of stock/g)).toHaveLength(1);
    expect(html.indexOf("Out of stock")).toBeLessThan(html.indexOf("Here"));
  });

  it("renders nothing for an empty list", () => {
    expect(render("{% product_grid items %}", { ...sampleData(), items: [] })).toBe("");
  });
});
