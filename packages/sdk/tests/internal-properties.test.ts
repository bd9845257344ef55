import { expect, it } from "vitest";
import internalProperties from "../scripts/internal-properties.json";
import { makeCartwheel } from "../src/client";
import { resolveOptions } from "../src/options";

it("shortens no public method or option name in the script-tag build", () => {
  const publicMethods = Object.keys(makeCartwheel());
  const options = [
    "apiUrl",
    ...Object.keys(resolveOptions({ writeKey: "pk", apiUrl: "https://api.example" })).filter(
      (name) => name !== "endpoint",
    ),
  ];
  expect(publicMethods).toContain("identify");
  expect(options).toContain("retryMaxDelayMs");
  expect(
    internalProperties.filter((name) => [...publicMethods, ...options].includes(name)),
  ).toEqual([]);
});
