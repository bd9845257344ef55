import { describe, expect, it } from "vitest";
import { linkCategory } from "./link-category.ts";

describe("linkCategory", () => {
  it.each([
    ["https://shop.example/collections/Summer-Dresses?utm_source=cartwheel", "summer-dresses"],
    ["https://shop.example/collections/lamps/products/brass-lamp", "lamps"],
    ["https://shop.example/en/category/garden-tools/", "garden-tools"],
    ["https://shop.example/categories/outdoor%20living", "outdoor-living"],
    ["https://shop.example/sale?cw_category=Lamps", "lamps"],
    ["https://shop.example/collections/lamps?cw_category=rugs", "rugs"],
  ])("%s is %s", (url, category) => {
    expect(linkCategory(url)).toBe(category);
  });

  it.each([
    "https://shop.example/products/brass-lamp",
    "https://shop.example/collections/all",
    "https://shop.example/collections/",
    "https://shop.example/collections/%E0%A4%A",
    "https://shop.example/category/<script>",
    "https://shop.example/sale?cw_category=",
    "not a url",
  ])("%s names no category", (url) => {
    expect(linkCategory(url)).toBeNull();
  });
});
