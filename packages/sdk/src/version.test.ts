import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { SDK_VERSION } from "./version";

it("matches the package version", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  expect(SDK_VERSION).toBe(manifest.version);
});
