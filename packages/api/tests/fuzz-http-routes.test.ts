import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { changedTables } from "./support/database-fingerprint.ts";
import { foreignLinkedUrl, linkedUrl, sign } from "./support/fuzz-http-fixtures.ts";
import {
  hostileSegment,
  linkOf,
  pageMethods,
  type SignatureKind,
  signatureKind,
  useHttpFuzz,
} from "./support/fuzz-http-harness.ts";

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
const { tally, state, send, check, expectUnchanged } = await useHttpFuzz("fuzz-http-routes");

describe("email tracking, fuzzed", () => {
  it("the pixel is always a GIF; a click redirects only to its own signed URL; forged links change nothing", async () => {
    const ownIds = [state.shops.trackedA.id, state.shops.managedA.id];
    const ids = [...ownIds, state.shops.trackedB.id, state.shops.confirmB.id];
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
    const linkA = sign("click", state.shops.trackedA.id, linkedUrl);
    const linkB = sign("click", state.shops.trackedB.id, foreignLinkedUrl);
    const clickSignatures: Record<string, string> = {
      linkA,
      linkB,
      openA: sign("open", state.shops.trackedA.id),
      manageA: sign("manage", state.shops.trackedA.id),
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
      messageId: fc.constant(state.shops.trackedA.id),
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
        if (c.messageId === state.shops.trackedB.id && signature === linkB) signature = linkA;
        const path = `/${encodeURIComponent(c.messageId)}/${encodeURIComponent(signature)}`;
        const routed =
          !["", ".", ".."].includes(c.messageId) && !["", ".", ".."].includes(signature);
        link = {
          path,
          routed,
          valid: routed && c.messageId === state.shops.trackedA.id && signature === linkA,
        };
      }
      const before = await state.fingerprints.all();
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
    const ownIds = [state.shops.managedA.id, state.shops.trackedA.id];
    const contactOf = new Map([
      [state.shops.managedA.id, state.shops.managedA.contactId],
      [state.shops.trackedA.id, state.shops.trackedA.contactId],
    ]);
    const route = fc.constantFrom("unsubscribe", "preferences");
    const fuzzed = fc.record({
      route,
      method: pageMethods,
      messageId: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...ownIds, state.shops.managedB.id, state.shops.confirmB.id),
        },
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
      const before = await state.fingerprints.all();
      const sent = await send(
        c.method,
        `/email/${c.route}${link.path}`,
        requestInit(c.method, c.body),
      );
      tally.add(`${c.method} /email/${c.route}`, String(sent.status));
      // A form past 16 KB is refused before its link is even checked.
      const init = requestInit(c.method, c.body);
      const size = typeof init.body === "string" ? Buffer.byteLength(init.body) : 0;
      if (c.method === "POST" && link.routed && size > 16 * 1024) {
        if (sent.status !== 413) throw new Error(`a ${size}-byte form answered ${sent.status}`);
        return expectUnchanged(before, "a form past the limit");
      }
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
    const message = await state.shops.a.message();
    const path = `/email/unsubscribe/${message.id}/${sign("manage", message.id)}`;
    const oneClick = requestInit("POST", {
      kind: "form",
      pairs: [["List-Unsubscribe", "One-Click"]],
    });
    const first = await send("POST", path, oneClick);
    expect([first.status, first.text]).toEqual([200, "Unsubscribed"]);
    const afterFirst = await state.fingerprints.all();
    for (let i = 0; i < 3; i += 1) {
      expect(await send("POST", path, oneClick)).toMatchObject({
        status: 200,
        text: "Unsubscribed",
      });
    }
    expect(changedTables(afterFirst, await state.fingerprints.all())).toEqual([]);
    expect(await consentOf(message.contactId)).toBe("UNSUBSCRIBED");
    const events = await db().event.findMany({
      where: { contactId: message.contactId, name: "Unsubscribed" },
    });
    expect(events.map((event) => (event.properties as { source: string }).source)).toEqual([
      "email one-click unsubscribe",
    ]);
  });

  it("refuses a form past 16 KB on a signed link with a 413 and changes nothing", async () => {
    const message = await state.shops.a.message();
    const before = await state.fingerprints.all();
    for (const route of ["unsubscribe", "preferences"]) {
      const path = `/email/${route}/${message.id}/${sign("manage", message.id)}`;
      const huge = requestInit("POST", {
        kind: "form",
        pairs: [
          ["action", "unsubscribe"],
          ["List-Unsubscribe", "One-Click"],
          ["padding", "x".repeat(300_000)],
        ],
      });
      expect(await send("POST", path, huge)).toMatchObject({ status: 413 });
    }
    expect(changedTables(before, await state.fingerprints.all())).toEqual([]);
    expect(await consentOf(message.contactId)).not.toBe("UNSUBSCRIBED");
  });
});

describe("double opt-in confirmation links, fuzzed", () => {
  it("only A's live confirmation, POSTed, subscribes, once; everything else changes nothing", async () => {
    const ownIds = [state.shops.confirmA.id, state.shops.expiredA.id, state.shops.trackedA.id];
    const fuzzed = fc.record({
      method: pageMethods,
      messageId: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...ownIds, state.shops.confirmB.id, state.shops.trackedB.id),
        },
        hostileSegment,
      ),
      signature: signatureKind,
      body: postBody,
    });
    const control = fc.record({
      method: fc.constantFrom("GET", "POST"),
      messageId: fc.constant(state.shops.confirmA.id),
      signature: fc.constant<SignatureKind>("right"),
      body: postBody,
    });
    let confirmations = 0;
    const arbitrary = fc.oneof({ weight: 4, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    await check(arbitrary, async (c) => {
      const link = linkOf("confirm", ownIds, c.messageId, c.signature);
      const before = await state.fingerprints.all();
      const sent = await send(
        c.method,
        `/email/confirm${link.path}`,
        requestInit(c.method, c.body),
      );
      tally.add(`${c.method} /email/confirm`, String(sent.status));
      // HEAD is routed as GET; it only carries no body to check.
      const page = c.method === "GET" || c.method === "HEAD" || c.method === "POST";
      const expected =
        !page || !link.valid || c.messageId === state.shops.trackedA.id
          ? 404
          : c.messageId === state.shops.expiredA.id
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
    expect(await consentOf(state.shops.confirmA.contactId)).toBe(
      confirmations > 0 ? "SUBSCRIBED" : "PENDING",
    );
    expect(await consentOf(state.shops.expiredA.contactId)).toBe("PENDING");
    const subscribed = await db().event.count({
      where: { contactId: state.shops.confirmA.contactId, name: "Subscribed" },
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
      public: state.shops.a.publicKey,
      secret: state.shops.a.secretKey,
      readOnly: (await state.shops.a.makeKey("SECRET", ["CONTACTS_READ"])).key,
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
      const before = await state.fingerprints.all();
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
