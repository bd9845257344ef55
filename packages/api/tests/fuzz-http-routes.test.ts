import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import {
  changedTables,
  connectFingerprints,
  type Fingerprint,
} from "./support/database-fingerprint.ts";
import {
  foreignLinkedUrl,
  linkedUrl,
  makeRecordingFetch,
  makeTestSns,
  seedFuzzShops,
  sign,
  signEnvelope,
  snsCertUrl,
  snsTopicArn,
  strangerKey,
} from "./support/fuzz-http-fixtures.ts";
import { abbreviate, makeTally } from "./support/fuzz-report.ts";
import { makeTestApi } from "./support/index.ts";

/**
 * The plain HTTP routes besides `/v1/batch`, fed generated hostile requests: forged, truncated
 * and misapplied signatures (A's link on B's message, a click signature on another URL), ids of
 * other messages and of another workspace, path traversal, huge and unicode segments, repeated
 * parameters, wrong content types and methods, hostile JSON and SNS envelopes. Each answer must
 * be one the route documents, never a 5xx; a refusal (and every GET of a page) changes no
 * table; a click redirects only to the URL its message signed; SNS verification fetches only
 * from SNS itself; workspace B's rows never change. FUZZ_SEED and FUZZ_HTTP_RUNS (cases per
 * route group, default 120) override the defaults.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const numRuns = Number(process.env.FUZZ_HTTP_RUNS ?? 120);
const caseTimeLimitMs = 5_000;

const recording = makeRecordingFetch();
const sns = await makeTestSns(recording.fetch);
const api = makeTestApi({ sesNotifications: sns.options });
const tally = makeTally();
let shops: Awaited<ReturnType<typeof seedFuzzShops>>;
let fingerprints: Awaited<ReturnType<typeof connectFingerprints>>;
let workspaceB: Fingerprint;

beforeAll(async () => {
  shops = await seedFuzzShops(api);
  fingerprints = await connectFingerprints();
  workspaceB = await fingerprints.workspace(shops.b.id);
});

afterAll(async () => {
  tally.print(`fuzz-http-routes: seed ${seed}, ${tally.total()} requests`);
  await fingerprints?.end();
});

interface Sent {
  status: number;
  text: string;
  headers: Headers;
}

/** One request through the app; fails the case on a 5xx or a slow answer. */
async function send(method: string, path: string, init: RequestInit = {}): Promise<Sent> {
  const started = performance.now();
  const response = await api.app.request(`http://cartwheel.test${path}`, { ...init, method });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status >= 500) throw new Error(`HTTP ${response.status}: ${text.slice(0, 400)}`);
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
  expect(changedTables(workspaceB, await fingerprints.workspace(shops.b.id))).toEqual([]);
}

async function expectUnchanged(before: Fingerprint, why: string) {
  const changed = changedTables(before, await fingerprints.all());
  if (changed.length) throw new Error(`${why}, yet changed ${changed.join("; ")}`);
}

const hostileSegment = fc.oneof(
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
const signatureKind = fc.oneof(
  { weight: 4, arbitrary: fc.constant("right" as const) },
  {
    weight: 4,
    arbitrary: fc.constantFrom("ownOnOther", "otherPurpose", "truncated", "upperCased", "withGif"),
  },
  { weight: 2, arbitrary: hostileSegment.map((raw) => ({ raw })) },
);
type SignatureKind = typeof signatureKind extends fc.Arbitrary<infer T> ? T : never;

/**
 * The link a case requests. A "right" signature is only ever made for workspace A's messages:
 * asked for on one of B's, the case gets A's own link's signature instead (A's link on B).
 */
function linkOf(
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
  const signature =
    typeof kind === "object"
      ? kind.raw
      : {
          right: base,
          ownOnOther: sign(purpose, messageId === primary ? (ownIds[1] ?? "") : primary, target),
          otherPurpose: sign(purpose === "manage" ? "confirm" : "manage", messageId, target),
          truncated: base.slice(0, -1),
          upperCased: base.toUpperCase(),
          withGif: `${base}.gif`,
        }[kind];
  const bare = purpose === "open" ? signature.replace(/\.gif$/, "") : signature;
  // A `.`, `..` or empty segment is resolved away by URL parsing: the request names no link.
  const routed = ![messageId, signature].some((s) => s === "" || s === "." || s === "..");
  return {
    path: `/${encodeURIComponent(messageId)}/${encodeURIComponent(signature)}`,
    valid: routed && own && bare === right,
    routed,
  };
}

const pageMethods = fc.constantFrom("GET", "GET", "HEAD", "POST", "POST", "PUT", "DELETE");

describe("email tracking, fuzzed", () => {
  it("the pixel is always a GIF; a click redirects only to its own signed URL; forged links change nothing", async () => {
    const ownIds = [shops.trackedA.id, shops.managedA.id];
    const ids = [...ownIds, shops.trackedB.id, shops.confirmB.id];
    const url = fc.oneof(
      { weight: 3, arbitrary: fc.constant(linkedUrl) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          foreignLinkedUrl,
          `${linkedUrl}&x=1`,
          linkedUrl.toUpperCase(),
          "https://evil.example/",
          "//evil.example/",
          "javascript:alert(1)",
          "https://northwind.example.evil.example/sale?ref=mail",
          "https:/\\evil.example",
          "https://northwind.example@evil.example/",
          ` ${linkedUrl}`,
          `${linkedUrl}\n`,
          "data:text/html,<script>alert(1)</script>",
          "",
        ),
      },
      { weight: 1, arbitrary: fc.oneof(fc.webUrl(), fc.string({ unit: "grapheme" })) },
    );
    /**
     * What a click can be signed with: only signatures the recipients hold (A's link, B's
     * link, A's other links' signatures), mangled or made up; never one made for another URL.
     */
    const linkA = sign("click", shops.trackedA.id, linkedUrl);
    const linkB = sign("click", shops.trackedB.id, foreignLinkedUrl);
    const clickSignatures: Record<string, string> = {
      linkA,
      linkB,
      openA: sign("open", shops.trackedA.id),
      manageA: sign("manage", shops.trackedA.id),
      truncated: linkA.slice(0, -1),
      upperCased: linkA.toUpperCase(),
    };
    const clickSignature = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...Object.keys(clickSignatures)) },
      { weight: 1, arbitrary: hostileSegment },
    );
    const junk = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 }), {
      maxKeys: 2,
    });
    const fuzzed = fc.record({
      route: fc.constantFrom("open" as const, "click" as const),
      method: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST", "DELETE"),
      messageId: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, hostileSegment),
      signature: signatureKind,
      clickSignature: clickSignature,
      urls: fc.array(url, { maxLength: 3 }),
      junk,
    });
    /** The message's own links as its recipient follows them, with stray parameters. */
    const control = fc.record({
      route: fc.constantFrom("open" as const, "click" as const),
      method: fc.constantFrom("GET", "HEAD"),
      messageId: fc.constant(shops.trackedA.id),
      signature: fc.constantFrom<SignatureKind>("right", "withGif"),
      clickSignature: fc.constant("linkA"),
      urls: fc.constantFrom([linkedUrl], [linkedUrl, "https://evil.example/"]),
      junk,
    });
    const arbitrary = fc.oneof({ weight: 4, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    await check(arbitrary, async (c) => {
      const params = new URLSearchParams(c.junk);
      for (const value of c.urls) params.append("url", value);
      const first = params.getAll("url")[0] ?? "";
      let link = linkOf("open", ownIds, c.messageId, c.signature);
      if (c.route === "click") {
        let signature = clickSignatures[c.clickSignature] ?? c.clickSignature;
        // B's own link followed as it is would count for B: the case uses A's link on B instead.
        if (c.messageId === shops.trackedB.id && signature === linkB) signature = linkA;
        const path = `/${encodeURIComponent(c.messageId)}/${encodeURIComponent(signature)}`;
        const routed =
          !["", ".", ".."].includes(c.messageId) && !["", ".", ".."].includes(signature);
        link = {
          path,
          routed,
          valid: routed && c.messageId === shops.trackedA.id && signature === linkA,
        };
      }
      const before = await fingerprints.all();
      const sent = await send(c.method, `/email/${c.route}${link.path}?${params}`);
      tally.add(`${c.method} /email/${c.route}`, String(sent.status));
      if (c.method === "POST" || c.method === "DELETE" || !link.routed) {
        if (sent.status !== 404) throw new Error(`${c.method} answered ${sent.status}`);
        return expectUnchanged(before, `${c.method} answered 404`);
      }
      if (c.route === "open") {
        if (sent.status !== 200 || sent.headers.get("content-type") !== "image/gif") {
          throw new Error(`the pixel answered ${sent.status} ${sent.headers.get("content-type")}`);
        }
        if (!link.valid) await expectUnchanged(before, "a forged pixel");
        return;
      }
      const redirects = link.valid && first === linkedUrl;
      if (sent.status === 302) {
        const location = sent.headers.get("location");
        if (!redirects || location !== linkedUrl) {
          throw new Error(`redirected to ${location} (first url ${JSON.stringify(first)})`);
        }
        return;
      }
      if (redirects) throw new Error(`a correctly signed click answered ${sent.status}`);
      if (sent.status !== 400 || (c.method === "GET" && sent.text !== "This link is not valid.")) {
        throw new Error(`a refused click answered ${sent.status}: ${sent.text.slice(0, 200)}`);
      }
      await expectUnchanged(before, "a refused click");
    });
  }, 60_000);
});

const formPair = fc.oneof(
  fc.constantFrom(
    ["List-Unsubscribe", "One-Click"],
    ["List-Unsubscribe", "one-click"],
    ["action", "unsubscribe"],
    ["action", "resubscribe"],
    ["action", "UNSUBSCRIBE"],
    ["action", ""],
    ["confirm", "1"],
  ),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 40 })),
);
/** A POST body in every shape a client (or an attacker) might send one. */
const postBody = fc.oneof(
  fc
    .array(formPair, { maxLength: 4 })
    .map((pairs) => ({ kind: "form" as const, pairs: pairs as [string, string][] })),
  fc
    .array(formPair, { maxLength: 3 })
    .map((pairs) => ({ kind: "multipart" as const, pairs: pairs as [string, string][] })),
  fc.constantFrom(
    { kind: "raw" as const, type: "multipart/form-data", body: "--x\r\n\r\n" },
    { kind: "raw" as const, type: "application/json", body: '{"List-Unsubscribe":"One-Click"}' },
    { kind: "raw" as const, type: "application/x-www-form-urlencoded", body: "%%%=%ZZ&&=" },
    { kind: "raw" as const, type: "text/plain", body: "List-Unsubscribe=One-Click" },
    { kind: "raw" as const, type: undefined, body: "" },
    {
      kind: "raw" as const,
      type: "application/x-www-form-urlencoded",
      body: `action=${"x".repeat(300_000)}`,
    },
  ),
);
type PostBody = typeof postBody extends fc.Arbitrary<infer T> ? T : never;

function requestInit(method: string, body: PostBody): RequestInit {
  if (method === "GET" || method === "HEAD") return {};
  if (body.kind === "form") {
    return {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body.pairs).toString(),
    };
  }
  if (body.kind === "multipart") {
    const data = new FormData();
    for (const [name, value] of body.pairs) data.append(name, value);
    return { body: data };
  }
  return { ...(body.type && { headers: { "content-type": body.type } }), body: body.body };
}

const consentOf = async (contactId: string) =>
  (await db().contact.findFirstOrThrow({ where: { id: contactId } })).consentStatus;

describe("unsubscribe and preference links, fuzzed", () => {
  it("a forged link or a GET changes nothing; a signed POST sets exactly what its page says", async () => {
    const ownIds = [shops.managedA.id, shops.trackedA.id];
    const contactOf = new Map([
      [shops.managedA.id, shops.managedA.contactId],
      [shops.trackedA.id, shops.trackedA.contactId],
    ]);
    const route = fc.constantFrom("unsubscribe", "preferences");
    const fuzzed = fc.record({
      route,
      method: pageMethods,
      messageId: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ownIds, shops.managedB.id, shops.confirmB.id) },
        hostileSegment,
      ),
      signature: signatureKind,
      body: postBody,
    });
    /** The recipient's own links, posted in every body shape. */
    const control = fc.record({
      route,
      method: fc.constantFrom("GET", "POST", "POST"),
      messageId: fc.constantFrom(...ownIds),
      signature: fc.constant<SignatureKind>("right"),
      body: postBody,
    });
    const arbitrary = fc.oneof({ weight: 3, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    await check(arbitrary, async (c) => {
      const link = linkOf("manage", ownIds, c.messageId, c.signature);
      const before = await fingerprints.all();
      const sent = await send(
        c.method,
        `/email/${c.route}${link.path}`,
        requestInit(c.method, c.body),
      );
      tally.add(`${c.method} /email/${c.route}`, String(sent.status));
      if (c.method === "PUT" || c.method === "DELETE" || !link.valid) {
        if (sent.status !== 404) throw new Error(`answered ${sent.status}, not 404`);
        const page = link.routed && (c.method === "GET" || c.method === "POST");
        if (page && !sent.text.includes("This link is not valid")) {
          throw new Error(`not the invalid link page: ${sent.text.slice(0, 200)}`);
        }
        return expectUnchanged(before, `a refused ${c.method}`);
      }
      if (c.method === "GET" || c.method === "HEAD") {
        if (sent.status !== 200) throw new Error(`a signed ${c.method} answered ${sent.status}`);
        return expectUnchanged(before, `a ${c.method} (link scanners follow them)`);
      }
      const consent = await consentOf(contactOf.get(c.messageId) ?? "");
      if (c.route === "unsubscribe") {
        if (sent.status !== 200) throw new Error(`a signed unsubscribe answered ${sent.status}`);
        if (consent !== "UNSUBSCRIBED") throw new Error(`unsubscribed, yet consent is ${consent}`);
        return;
      }
      const actions =
        c.body.kind === "raw" ? [] : c.body.pairs.filter(([name]) => name === "action");
      const action = actions.length === 1 ? actions[0]?.[1] : undefined;
      if (sent.status === 400) {
        if (action === "unsubscribe" || action === "resubscribe") {
          throw new Error(`action=${action} answered 400`);
        }
        if (!sent.text.includes("Choose an option.")) throw new Error("a 400 without its notice");
        return expectUnchanged(before, "preferences answered 400");
      }
      if (sent.status !== 200) throw new Error(`preferences answered ${sent.status}`);
      const expected = sent.text.includes("You are unsubscribed.") ? "UNSUBSCRIBED" : "SUBSCRIBED";
      if (consent !== expected) throw new Error(`the page says ${expected}, consent is ${consent}`);
    });
  }, 60_000);

  it("a correctly signed one-click unsubscribe unsubscribes exactly once, however often it is repeated", async () => {
    const message = await shops.a.message();
    const path = `/email/unsubscribe/${message.id}/${sign("manage", message.id)}`;
    const oneClick = requestInit("POST", {
      kind: "form",
      pairs: [["List-Unsubscribe", "One-Click"]],
    });
    const first = await send("POST", path, oneClick);
    expect([first.status, first.text]).toEqual([200, "Unsubscribed"]);
    const afterFirst = await fingerprints.all();
    for (let i = 0; i < 3; i += 1) {
      expect(await send("POST", path, oneClick)).toMatchObject({
        status: 200,
        text: "Unsubscribed",
      });
    }
    expect(changedTables(afterFirst, await fingerprints.all())).toEqual([]);
    expect(await consentOf(message.contactId)).toBe("UNSUBSCRIBED");
    const events = await db().event.findMany({
      where: { contactId: message.contactId, name: "Unsubscribed" },
    });
    expect(events.map((event) => (event.properties as { source: string }).source)).toEqual([
      "email one-click unsubscribe",
    ]);
  });
});
