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
 * route group, default 300) override the defaults.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const numRuns = Number(process.env.FUZZ_HTTP_RUNS ?? 300);
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

describe("double opt-in confirmation links, fuzzed", () => {
  it("only A's live confirmation, POSTed, subscribes, once; everything else changes nothing", async () => {
    const ownIds = [shops.confirmA.id, shops.expiredA.id, shops.trackedA.id];
    const fuzzed = fc.record({
      method: pageMethods,
      messageId: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ownIds, shops.confirmB.id, shops.trackedB.id) },
        hostileSegment,
      ),
      signature: signatureKind,
      body: postBody,
    });
    const control = fc.record({
      method: fc.constantFrom("GET", "POST"),
      messageId: fc.constant(shops.confirmA.id),
      signature: fc.constant<SignatureKind>("right"),
      body: postBody,
    });
    let confirmations = 0;
    const arbitrary = fc.oneof({ weight: 4, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    await check(arbitrary, async (c) => {
      const link = linkOf("confirm", ownIds, c.messageId, c.signature);
      const before = await fingerprints.all();
      const sent = await send(
        c.method,
        `/email/confirm${link.path}`,
        requestInit(c.method, c.body),
      );
      tally.add(`${c.method} /email/confirm`, String(sent.status));
      // HEAD is routed as GET; it only carries no body to check.
      const page = c.method === "GET" || c.method === "HEAD" || c.method === "POST";
      const expected =
        !page || !link.valid || c.messageId === shops.trackedA.id
          ? 404
          : c.messageId === shops.expiredA.id
            ? 410
            : 200;
      if (sent.status !== expected) throw new Error(`answered ${sent.status}, not ${expected}`);
      if (
        expected === 404 &&
        page &&
        c.method !== "HEAD" &&
        link.routed &&
        !sent.text.includes("This link is not valid")
      ) {
        throw new Error(`not the invalid link page: ${sent.text.slice(0, 200)}`);
      }
      if (expected === 200 && c.method === "POST") {
        if (!sent.text.includes("You're subscribed")) throw new Error("no subscribed page");
        confirmations += 1;
        if (confirmations === 1) return;
      }
      await expectUnchanged(before, `${c.method} answered ${sent.status}`);
    });
    expect(await consentOf(shops.confirmA.contactId)).toBe(
      confirmations > 0 ? "SUBSCRIBED" : "PENDING",
    );
    expect(await consentOf(shops.expiredA.contactId)).toBe("PENDING");
    const subscribed = await db().event.count({
      where: { contactId: shops.confirmA.contactId, name: "Subscribed" },
    });
    expect(subscribed).toBe(confirmations > 0 ? 1 : 0);
  }, 60_000);
});

const subscribeValue = fc.oneof(
  { weight: 4, arbitrary: fc.uuid().map((id) => `fuzz-${id.slice(0, 8)}@example.com`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "repeat@example.com",
      "REPEAT@Example.com",
      "zoë@exämple.com",
      "not-an-email",
      "",
      " @ ",
      `${"x".repeat(400)}@example.com`,
      "a@b",
      "a@example.com\u0000",
      "<script>@example.com",
    ),
  },
  { weight: 2, arbitrary: fc.oneof(fc.emailAddress(), fc.jsonValue({ maxDepth: 2 })) },
);
const subscribeText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constantFrom("", "   ", "x".repeat(200), "footer-form"),
  fc.jsonValue({ maxDepth: 2 }),
);

describe("POST /v1/subscribe, fuzzed", () => {
  it("answers only documented statuses and codes; a refusal changes nothing; B never changes", async () => {
    const keys: Record<string, string | undefined> = {
      public: shops.a.publicKey,
      secret: shops.a.secretKey,
      readOnly: (await shops.a.makeKey("SECRET", ["CONTACTS_READ"])).key,
      garbage: "cw_pk_not_a_key",
      none: undefined,
    };
    const envelope = fc.record(
      {
        writeKey: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom("public", "secret") },
          { weight: 1, arbitrary: fc.constantFrom("readOnly", "garbage", "none") },
        ),
        email: subscribeValue,
        source: subscribeText,
        firstName: subscribeText,
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ["writeKey"] },
    );
    const raw = fc.oneof(
      fc.constantFrom("", "{", "null", "[]", "\u0000", '"email"', '{"email":"a@example.com"}'),
      fc.integer({ min: 1_000, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
      fc.integer({ min: 70_000, max: 900_000 }).map((n) => `{"email":"${"x".repeat(n)}"}`),
    );
    const arbitrary = fc.record({
      body: fc.oneof(
        { weight: 8, arbitrary: envelope.map((value) => ({ kind: "envelope" as const, value })) },
        { weight: 1, arbitrary: raw.map((value) => ({ kind: "raw" as const, value })) },
      ),
      keyIn: fc.constantFrom("body", "header"),
      origin: fc.constantFrom(
        "https://shop.example",
        "https://shop.example",
        "https://evil.example",
        undefined,
      ),
      contentType: fc.constantFrom(
        "text/plain",
        "application/json",
        "multipart/form-data",
        undefined,
      ),
    });
    const documented: Record<number, string[]> = {
      400: ["invalid_json", "invalid_body", "invalid_input"],
      401: ["missing_key", "invalid_key"],
      403: ["missing_scope", "origin_not_allowed"],
      413: ["body_too_large"],
      429: ["rate_limited"],
    };
    const outcomes = [
      "confirmation_sent",
      "confirmation_already_sent",
      "subscribed",
      "already_subscribed",
    ];
    await check(arbitrary, async (c) => {
      const headers: Record<string, string> = {};
      if (c.contentType) headers["content-type"] = c.contentType;
      if (c.origin) headers.origin = c.origin;
      let text = c.body.kind === "raw" ? c.body.value : "";
      if (c.body.kind === "envelope") {
        const { writeKey, extra, ...rest } = c.body.value;
        const key = writeKey ? keys[writeKey] : undefined;
        if (c.keyIn === "header" && key) headers.authorization = `Bearer ${key}`;
        text = JSON.stringify({
          ...rest,
          ...(c.keyIn === "body" && key && { writeKey: key }),
          ...(extra !== null && typeof extra === "object" && { extra }),
        });
      }
      const before = await fingerprints.all();
      const sent = await send("POST", "/v1/subscribe", { headers, body: text });
      const parsed = JSON.parse(sent.text) as { outcome?: string; error?: { code: string } };
      tally.add("POST /v1/subscribe", `${sent.status} ${parsed.outcome ?? parsed.error?.code}`);
      if (sent.status === 200) {
        if (!outcomes.includes(parsed.outcome ?? "")) throw new Error(`200 ${sent.text}`);
        if (parsed.outcome === "already_subscribed")
          await expectUnchanged(before, "already subscribed");
        return;
      }
      if (!documented[sent.status]?.includes(parsed.error?.code ?? "")) {
        throw new Error(`HTTP ${sent.status}: ${sent.text.slice(0, 300)}`);
      }
      await expectUnchanged(before, `HTTP ${sent.status}`);
    });
  }, 60_000);
});

/** A certificate URL may be fetched only from SNS itself: a region's host, over https, no port. */
const snsOwnUrl = /^https:\/\/sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?\//;

const hostileUrls = [
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-404.pem",
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-down.pem",
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-garbage.pem",
  "https://sns.s3.amazonaws.com/cert.pem",
  "https://sns.s3-accelerate.amazonaws.com/cert.pem",
  "https://sns.s3-us-west-2.amazonaws.com/cert.pem",
  "http://sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
  "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
  "https://user:pass@sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com@evil.example/cert.pem",
  "file:///etc/passwd",
  "http://169.254.169.254/latest/meta-data/",
  "https://127.0.0.1/cert.pem",
  "not a url",
  "",
];
const subscribeUrls = [
  `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${snsTopicArn}&Token=t`,
  "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=down",
  "https://sns.us-east-1.amazonaws.com/?Action=Other",
  ...hostileUrls,
];

describe("POST /email/ses-notifications, fuzzed", () => {
  it("verifies every envelope, fetches only from SNS, answers only documented results and changes nothing it refuses", async () => {
    const sesMail = (target: "own" | "ownInB" | "unknown") => {
      const id = target === "unknown" ? randomUUID() : shops.notifiedA.id;
      const workspaceId = target === "ownInB" ? shops.b.id : shops.a.id;
      return {
        messageId: `ses-${randomUUID()}`,
        tags: { cartwheel_workspace_id: [workspaceId], cartwheel_message_id: [id] },
      };
    };
    const notificationOf = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom("Delivery", "Bounce", "Complaint", "Send", "Reject", ""),
            fc.constantFrom("own" as const, "ownInB" as const, "unknown" as const),
            fc.constantFrom("Permanent", "Transient"),
          )
          .map(([type, target, bounceType]) =>
            JSON.stringify({
              notificationType: type,
              mail: sesMail(target),
              bounce: { bounceType, bouncedRecipients: [{ emailAddress: "victim@example.com" }] },
              complaint: { complainedRecipients: [{ emailAddress: "victim@example.com" }] },
            }),
          ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "not json",
          "",
          "[".repeat(5_000),
          '{"mail":5}',
          "😀".repeat(1_000),
        ),
      },
    );
    const envelope = fc.record({
      Type: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom("Notification", "SubscriptionConfirmation") },
        { weight: 1, arbitrary: fc.constantFrom("UnsubscribeConfirmation", "notification", "") },
      ),
      MessageId: fc.oneof(
        { weight: 6, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(3_000)) },
      ),
      TopicArn: fc.constantFrom(snsTopicArn, snsTopicArn, "arn:aws:sns:us-east-1:666:evil"),
      Message: notificationOf,
      Timestamp: fc.constant(new Date().toISOString()),
      SignatureVersion: fc.constantFrom("1", "2", "2", "2", "2", "3"),
      SigningCertURL: fc.oneof(
        { weight: 3, arbitrary: fc.constant(snsCertUrl) },
        { weight: 2, arbitrary: fc.constantFrom(...hostileUrls) },
      ),
      SubscribeURL: fc.constantFrom(...subscribeUrls),
      Token: fc.constant("token"),
    });
    const fuzzed = fc.record({
      envelope,
      signedBy: fc.constantFrom("sns", "sns", "sns", "stranger", "none"),
      /** Applied after signing: a field of the signed envelope changed, dropped or retyped. */
      tamper: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        {
          weight: 2,
          arbitrary: fc.tuple(
            fc.constantFrom(
              "Message",
              "MessageId",
              "Type",
              "Signature",
              "SubscribeURL",
              "TopicArn",
            ),
            fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
          ),
        },
      ),
      raw: fc.oneof(
        { weight: 12, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constantFrom("", "{", "null", "[]", '"Notification"', "\u0000"),
            fc
              .integer({ min: 1_000, max: 20_000 })
              .map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
            fc.integer({ min: 270_000, max: 600_000 }).map((n) => `{"Type":"${"x".repeat(n)}"}`),
          ),
        },
      ),
      contentType: fc.constantFrom("text/plain; charset=UTF-8", "application/json", undefined),
    });
    /** What SNS itself sends: signed notifications about A's message, and confirmations. */
    const control = fc.record({
      envelope: fc.record({
        Type: fc.constantFrom(
          "Notification",
          "Notification",
          "Notification",
          "SubscriptionConfirmation",
        ),
        MessageId: fc.uuid(),
        TopicArn: fc.constant(snsTopicArn),
        Message: notificationOf,
        Timestamp: fc.constant(new Date().toISOString()),
        SignatureVersion: fc.constantFrom("1", "2"),
        SigningCertURL: fc.constant(snsCertUrl),
        SubscribeURL: fc.constantFrom(...subscribeUrls.slice(0, 3)),
        Token: fc.constant("token"),
      }),
      signedBy: fc.constant("sns"),
      tamper: fc.constant(null),
      raw: fc.constant(null),
      contentType: fc.constant("text/plain; charset=UTF-8"),
    });
    const arbitrary = fc.oneof({ weight: 3, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    const outcomes = [
      "bounce",
      "soft-bounce",
      "complaint",
      "delivery",
      "send",
      "ignored",
      "unknown-message",
    ];
    await check(arbitrary, async (c) => {
      const { Type, SubscribeURL, Token, ...common } = c.envelope;
      const unsigned = (
        Type === "Notification" ? { Type, ...common } : { Type, SubscribeURL, Token, ...common }
      ) as Parameters<typeof signEnvelope>[0];
      let body: Record<string, unknown> =
        c.signedBy === "none"
          ? { ...unsigned, Signature: "bm90IGEgc2lnbmF0dXJl" }
          : signEnvelope(unsigned, c.signedBy === "sns" ? sns.privateKey : strangerKey);
      if (c.tamper) body = { ...body, [c.tamper[0]]: c.tamper[1] };
      const headers: Record<string, string> = { "x-amz-sns-message-type": String(Type) };
      if (c.contentType) headers["content-type"] = c.contentType;
      const fetchedBefore = recording.fetched.length;
      const before = await fingerprints.all();
      // 502 is documented: SNS's SubscribeURL did not answer 2xx.
      const sent = await send(
        "POST",
        "/email/ses-notifications",
        { headers, body: c.raw ?? JSON.stringify(body) },
        [502],
      );
      const fetched = recording.fetched.slice(fetchedBefore);
      const untrusted = fetched.filter((url) => !snsOwnUrl.test(url));
      if (untrusted.length) throw new Error(`fetched ${untrusted.join(", ")}`);
      let parsed: { outcome?: string; error?: string; confirmed?: boolean; ok?: boolean };
      try {
        parsed = JSON.parse(sent.text);
      } catch {
        throw new Error(`HTTP ${sent.status} that is not JSON: ${sent.text.slice(0, 200)}`);
      }
      tally.add(
        "POST /email/ses-notifications",
        `${sent.status}${parsed.outcome ? ` ${parsed.outcome}` : ""}`,
      );
      // Dropping or changing a field SNS does not sign for this type (a Notification's
      // SubscribeURL) leaves the envelope authentic; a signed field or the signature does not.
      const signedFields =
        Type === "Notification"
          ? ["Message", "MessageId", "Timestamp", "TopicArn", "Type", "Signature"]
          : [
              "Message",
              "MessageId",
              "SubscribeURL",
              "Timestamp",
              "Token",
              "TopicArn",
              "Type",
              "Signature",
            ];
      const forged = c.tamper !== null && signedFields.includes(c.tamper[0]);
      const authentic = c.signedBy === "sns" && !forged && !c.raw;
      if (sent.status === 200) {
        if (!authentic) throw new Error(`a forged envelope was taken: ${sent.text}`);
        const known =
          parsed.confirmed === true ||
          parsed.ok === true ||
          outcomes.includes(parsed.outcome ?? "");
        if (!known) throw new Error(`200 ${sent.text}`);
        if (!["bounce", "soft-bounce", "complaint", "delivery"].includes(parsed.outcome ?? "")) {
          await expectUnchanged(before, `200 ${sent.text}`);
        }
        return;
      }
      if (![400, 403, 413, 502].includes(sent.status) || typeof parsed.error !== "string") {
        throw new Error(`HTTP ${sent.status}: ${sent.text.slice(0, 300)}`);
      }
      await expectUnchanged(before, `HTTP ${sent.status}`);
    });
  }, 60_000);
});

describe("the bugs this fuzzing found, pinned", () => {
  const postSns = (body: string) =>
    send(
      "POST",
      "/email/ses-notifications",
      { headers: { "content-type": "text/plain" }, body },
      [502],
    );
  const confirmation = (overrides: Record<string, string>) =>
    JSON.stringify(
      signEnvelope(
        {
          Type: "SubscriptionConfirmation",
          MessageId: randomUUID(),
          TopicArn: snsTopicArn,
          Message: "confirm",
          Timestamp: new Date().toISOString(),
          SignatureVersion: "2",
          SigningCertURL: snsCertUrl,
          SubscribeURL: subscribeUrls[0] ?? "",
          Token: "token",
          ...overrides,
        },
        sns.privateKey,
      ),
    );

  it("a certificate URL on SNS's host that fails or is no certificate is a 403, not a 500", async () => {
    for (const url of hostileUrls.slice(0, 3)) {
      const sent = await postSns(confirmation({ SigningCertURL: url }));
      expect([sent.status, typeof JSON.parse(sent.text).error]).toEqual([403, "string"]);
    }
  });

  it("a SubscribeURL that cannot be reached is a 502 with an error, not a 500", async () => {
    const sent = await postSns(confirmation({ SubscribeURL: subscribeUrls[1] ?? "" }));
    expect(sent.status).toBe(502);
  });

  it("fetches nothing from an S3 bucket named sns, nor from a URL with credentials", async () => {
    const from = recording.fetched.length;
    for (const url of hostileUrls.slice(3, 6)) {
      expect((await postSns(confirmation({ SigningCertURL: url }))).status).toBe(403);
      expect((await postSns(confirmation({ SubscribeURL: url }))).status).toBe(403);
    }
    const credentials = "https://user:pass@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription";
    expect((await postSns(confirmation({ SubscribeURL: credentials }))).status).toBe(403);
    expect(recording.fetched.slice(from)).toEqual([]);
  });

  it("a body past the limit is a 413 with a JSON error on both routes, not a 500", async () => {
    const ses = await postSns(`{"Type":"${"x".repeat(300_000)}"}`);
    expect([ses.status, typeof JSON.parse(ses.text).error]).toEqual([413, "string"]);
    const subscribe = await send("POST", "/v1/subscribe", {
      headers: { "content-type": "text/plain", origin: "https://shop.example" },
      body: JSON.stringify({
        writeKey: shops.a.publicKey,
        email: `${"x".repeat(20_000)}@a.example`,
      }),
    });
    expect([subscribe.status, JSON.parse(subscribe.text).error.code]).toEqual([
      413,
      "body_too_large",
    ]);
  });
});
