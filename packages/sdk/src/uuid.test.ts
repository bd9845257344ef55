import { afterEach, expect, it, vi } from "vitest";
import { makeId } from "./uuid";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllGlobals();
});

it("uses crypto.randomUUID where it exists", () => {
  expect(makeId()).toMatch(V4);
});

it("builds v4 ids from getRandomValues outside secure contexts", () => {
  const webCrypto = globalThis.crypto;
  vi.stubGlobal("crypto", { getRandomValues: webCrypto.getRandomValues.bind(webCrypto) });
  const ids = Array.from({ length: 200 }, makeId);
  for (const id of ids) expect(id).toMatch(V4);
  expect(new Set(ids).size).toBe(200);
});
