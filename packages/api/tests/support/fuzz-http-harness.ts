import fc from "fast-check";
import { afterAll, beforeAll, expect } from "vitest";
import { changedTables, connectFingerprints, type Fingerprint } from "./database-fingerprint.ts";
import { makeRecordingFetch, makeTestSns, seedFuzzShops, sign } from "./fuzz-http-fixtures.ts";
import { abbreviate, makeTally } from "./fuzz-report.ts";
import { makeTestApi } from "./index.ts";

/**
 * What the plain-HTTP fuzz files share: an app with a test SNS signer and a recording fetch,
 * two seeded shops (A and B), database fingerprints, and the request and property helpers.
 * Call `useHttpFuzz` once at a test file's top level: it registers the file's hooks. FUZZ_SEED
 * and FUZZ_HTTP_RUNS (cases per route group, default 300) override the defaults.
 */
export async function useHttpFuzz(file: string) {
  const seed = Number(process.env.FUZZ_SEED ?? 20261203);
  const numRuns = Number(process.env.FUZZ_HTTP_RUNS ?? 300);
  const caseTimeLimitMs = 5_000;

  const recording = makeRecordingFetch();
  const sns = await makeTestSns(recording.fetch);
  const api = makeTestApi({ sesNotifications: sns.options });
  const tally = makeTally();
  /** Filled before the file's tests run. */
  const state = {} as {
    shops: Awaited<ReturnType<typeof seedFuzzShops>>;
    fingerprints: Awaited<ReturnType<typeof connectFingerprints>>;
    workspaceB: Fingerprint;
  };

  beforeAll(async () => {
    state.shops = await seedFuzzShops(api);
    state.fingerprints = await connectFingerprints();
    state.workspaceB = await state.fingerprints.workspace(state.shops.b.id);
  });

  afterAll(async () => {
    tally.print(`${file}: seed ${seed}, ${tally.total()} requests`);
    await state.fingerprints?.end();
  });

  interface Sent {
    status: number;
    text: string;
    headers: Headers;
  }

  /** One request through the app; fails the case on a 5xx (but `allowed`) or a slow answer. */
  async function send(
    method: string,
    path: string,
    init: RequestInit = {},
    allowed: number[] = [],
  ): Promise<Sent> {
    const started = performance.now();
    const response = await api.app.request(`http://cartwheel.test${path}`, { ...init, method });
    const text = await response.text();
    const ms = performance.now() - started;
    if (response.status >= 500 && !allowed.includes(response.status))
      throw new Error(`HTTP ${response.status}: ${text.slice(0, 400)}`);
    if (ms > caseTimeLimitMs) throw new Error(`HTTP ${response.status} after ${Math.round(ms)} ms`);
    return { status: response.status, text, headers: response.headers };
  }

  /** Runs a property with the file's seed and run count; a failure names its counterexample. */
  async function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>) {
    const details = await fc.check(fc.asyncProperty(arbitrary, predicate), {
      seed,
      numRuns,
      endOnFailure: true,
      interruptAfterTimeLimit: 40_000,
    });
    if (details.failed) {
      const error =
        details.errorInstance instanceof Error ? details.errorInstance.message : details.error;
      throw new Error(
        `failed (seed ${details.seed}, path "${details.counterexamplePath}"): ${error}\n` +
          `case: ${JSON.stringify(abbreviate(details.counterexample?.[0]), null, 1)}`,
      );
    }
    expect(details.interrupted).toBe(false);
    expect(
      changedTables(state.workspaceB, await state.fingerprints.workspace(state.shops.b.id)),
    ).toEqual([]);
  }

  async function expectUnchanged(before: Fingerprint, why: string) {
    const changed = changedTables(before, await state.fingerprints.all());
    if (changed.length) throw new Error(`${why}, yet changed ${changed.join("; ")}`);
  }

  return { seed, numRuns, api, sns, recording, tally, state, send, check, expectUnchanged };
}

export const hostileSegment = fc.oneof(
  fc.uuid(),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    "..",
    "../../graphql",
    "..%2f..%2fgraphql",
    "%00",
    "\u0000",
    "x".repeat(5_000),
    "😀".repeat(200),
    "' OR 1=1 --",
    "00000000-0000-0000-0000-000000000000",
  ),
);
/** How a case's signature relates to its message id. */
export const signatureKind = fc.oneof(
  { weight: 4, arbitrary: fc.constant("right" as const) },
  {
    weight: 4,
    arbitrary: fc.constantFrom("ownOnOther", "otherPurpose", "truncated", "upperCased", "withGif"),
  },
  { weight: 2, arbitrary: hostileSegment.map((raw) => ({ raw })) },
);
export type SignatureKind = typeof signatureKind extends fc.Arbitrary<infer T> ? T : never;

/**
 * The link a case requests. A "right" signature is only ever made for workspace A's messages:
 * asked for on one of B's, the case gets A's own link's signature instead (A's link on B).
 */
export function linkOf(
  purpose: "open" | "click" | "manage" | "confirm",
  ownIds: string[],
  messageId: string,
  kind: SignatureKind,
  target = "",
) {
  const own = ownIds.includes(messageId);
  const primary = ownIds[0] ?? "";
  const right = sign(purpose, messageId, target);
  const base = own ? right : sign(purpose, primary, target);
  const derived: Record<string, string> = {
    right: base,
    ownOnOther: sign(purpose, messageId === primary ? (ownIds[1] ?? "") : primary, target),
    otherPurpose: sign(purpose === "manage" ? "confirm" : "manage", messageId, target),
    truncated: base.slice(0, -1),
    upperCased: base.toUpperCase(),
    withGif: `${base}.gif`,
  };
  const signature = typeof kind === "object" ? kind.raw : (derived[kind] ?? "");
  const bare = purpose === "open" ? signature.replace(/\.gif$/, "") : signature;
  // A `.`, `..` or empty segment is resolved away by URL parsing: the request names no link.
  const routed = ![messageId, signature].some((s) => s === "" || s === "." || s === "..");
  return {
    path: `/${encodeURIComponent(messageId)}/${encodeURIComponent(signature)}`,
    valid: routed && own && bare === right,
    routed,
  };
}

export const pageMethods = fc.constantFrom("GET", "GET", "HEAD", "POST", "POST", "PUT", "DELETE");
