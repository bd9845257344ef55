import { expect, it } from "vitest";
import { readStorefrontConfig } from "../config";
import { attributedLink } from "../recommendations";

it("puts the block and strategy on the catalog's product URL, or on the storefront's own page", () => {
  expect(attributedLink("https://shop.example/p/tote?colour=red#top", "tote", "bestsellers")).toBe(
    "https://shop.example/p/tote?colour=red&cw_block=frequently_bought_together&cw_strategy=bestsellers#top",
  );
  expect(attributedLink(null, "canvas-tote", "frequently_bought_together")).toBe(
    "/products/canvas-tote?cw_block=frequently_bought_together&cw_strategy=frequently_bought_together",
  );
});

it("reads the secret key only when it is set", () => {
  expect(readStorefrontConfig({}).secretKey).toBeUndefined();
  expect(readStorefrontConfig({ CARTWHEEL_SECRET_KEY: "sk_x" }).secretKey).toBe("sk_x");
});
