import { decodeGlobalID } from "@pothos/plugin-relay";
import fc from "fast-check";
import {
  buildClientSchema,
  type GraphQLInputType,
  getIntrospectionQuery,
  graphqlSync,
  type IntrospectionQuery,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema as builtSchema } from "../src/graphql/schema.ts";
import {
  changedTables,
  connectFingerprints,
  type Fingerprint,
} from "./support/database-fingerprint.ts";
import { abbreviate, makeTally } from "./support/fuzz-report.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";
import { fuzzProfiles, makeArgumentArbitraries } from "./support/schema-arbitraries.ts";

/**
 * `POST /v1/batch` fed generated bodies: events built from the schema's `EventInput` (as the SDK
 * sends them) with hostile values, raw JSON, malformed envelopes, bodies past the size limit,
 * every way of giving a key. Each answer must be one the route documents (200 with counts, or
 * 400/401/403/413/429 with an error code), never a 5xx; a refused batch, or one with nothing
 * accepted, changes no table; an accepted one adds exactly `accepted` events; the other
 * workspace's rows never change.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const numRuns = Number(process.env.FUZZ_INGEST_RUNS ?? 300);
const origin = "https://shop.example";

const introspected = graphqlSync({
  schema: builtSchema,
  source: getIntrospectionQuery({ oneOf: true }),
});
const schema = buildClientSchema(introspected.data as unknown as IntrospectionQuery);
const eventInput = schema.getType("EventInput") as GraphQLInputType | undefined;

const api = makeTestApi();
const tally = makeTally();
let shopA: Awaited<ReturnType<typeof createTestWorkspace>>;
let shopB: Awaited<ReturnType<typeof createTestWorkspace>>;
let keys: Record<string, string | undefined>;
let fingerprints: Awaited<ReturnType<typeof connectFingerprints>>;
let workspaceB: Fingerprint;
const rowId = (globalId: string) => decodeGlobalID(globalId).id;

beforeAll(async () => {
  shopA = await createTestWorkspace(api, { allowedOrigins: [origin] });
  shopB = await createTestWorkspace(api, { allowedOrigins: [origin] });
  const revoked = await shopA.makeKey("SECRET");
  await api.data(
    `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
    { id: revoked.id },
    shopA.secretKey,
  );
  keys = {
    secret: shopA.secretKey,
    public: shopA.publicKey,
    readOnly: (await shopA.makeKey("SECRET", ["CONTACTS_READ"])).key,
    revoked: revoked.key,
    garbage: "cw_sk_not_a_key\u0000",
    none: undefined,
  };
  fingerprints = await connectFingerprints();
  workspaceB = await fingerprints.workspace(rowId(shopB.workspaceId));
});

afterAll(async () => {
  tally.print(`fuzz-ingest: seed ${seed}, ${tally.total()} batches`);
  await fingerprints?.end();
});

function makeRequestArbitrary() {
  if (!eventInput) throw new Error("the schema has no EventInput to build batches from");
  const { arbitraryOf } = makeArgumentArbitraries();
  const schemaEvent = fc.oneof(...fuzzProfiles.map((profile) => arbitraryOf(eventInput, profile)));
  const event = fc.oneof(
    { weight: 6, arbitrary: schemaEvent },
    {
      weight: 1,
      arbitrary: fc
        .tuple(schemaEvent, fc.constantFrom("0".repeat(64), "zz", "\u0000"))
        .map(([e, userHash]) => ({ ...(e as object), userHash })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
  const envelope = fc.record(
    {
      writeKey: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("secret", "public") },
        { weight: 1, arbitrary: fc.constantFrom("readOnly", "revoked", "garbage", "none") },
      ),
      sentAt: fc.oneof(
        { weight: 4, arbitrary: fc.constant(new Date().toISOString()) },
        { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer()) },
      ),
      batch: fc.oneof(
        { weight: 8, arbitrary: fc.array(event, { maxLength: 6 }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(arbitraryOf(eventInput, "plain"), fc.integer({ min: 50, max: 400 }))
            .map(([one, n]) => Array.from({ length: n }, () => one)),
        },
        { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.object()) },
      ),
    },
    { requiredKeys: ["batch"] },
  );
  const body = fc.oneof(
    { weight: 10, arbitrary: envelope.map((value) => ({ kind: "envelope" as const, value })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            "",
            "{",
            "null",
            "[]",
            '{"batch": "x"}',
            "\u0000",
            '{"batch":[]}'.repeat(3),
          ),
          fc
            .integer({ min: 600_000, max: 900_000 })
            .map((n) => `{"batch":[],"pad":"${"x".repeat(n)}"}`),
          fc.integer({ min: 1_000, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
        )
        .map((value) => ({ kind: "raw" as const, value })),
    },
  );
  return fc.record({
    body,
    keyIn: fc.constantFrom("body", "header"),
    origin: fc.constantFrom(origin, origin, "https://evil.example", undefined),
    contentType: fc.constantFrom("application/json", "text/plain", undefined),
  });
}

type Request = ReturnType<typeof makeRequestArbitrary> extends fc.Arbitrary<infer T> ? T : never;

async function send(request: Request) {
  const headers: Record<string, string> = {};
  if (request.contentType) headers["content-type"] = request.contentType;
  if (request.origin) headers.origin = request.origin;
  let text: string;
  if (request.body.kind === "raw") {
    text = request.body.value;
  } else {
    const { writeKey, ...rest } = request.body.value;
    const key = writeKey ? keys[writeKey] : undefined;
    // Headers cannot carry a NUL byte; such a key goes in the body.
    const inHeader = request.keyIn === "header" && !key?.includes("\u0000");
    if (inHeader && key) headers.authorization = `Bearer ${key}`;
    text = JSON.stringify({ ...rest, ...(!inHeader && key && { writeKey: key }) });
  }
  const started = performance.now();
  const response = await api.app.request("http://cartwheel.test/v1/batch", {
    method: "POST",
    headers,
    body: text,
  });
  const answer = await response.text();
  return { status: response.status, body: answer, ms: performance.now() - started };
}

const documented = [200, 400, 401, 403, 413, 429];
const eventCount = (print: Fingerprint) => Number(print.get("public.events")?.split(":")[0]);

describe("POST /v1/batch, fuzzed", () => {
  it("answers only documented statuses; a refusal changes nothing; accepted counts are exact", async () => {
    const property = fc.asyncProperty(makeRequestArbitrary(), async (request) => {
      const before = await fingerprints.all();
      const { status, body, ms } = await send(request);
      if (ms > 5_000) throw new Error(`HTTP ${status} after ${Math.round(ms)} ms`);
      tally.add(String(status), "times");
      if (!documented.includes(status)) throw new Error(`HTTP ${status}: ${body.slice(0, 400)}`);
      const parsed = JSON.parse(body) as {
        accepted?: number;
        duplicates?: number;
        rejected?: { code: string }[];
        error?: { code: string; message: string };
      };
      const after = await fingerprints.all();
      if (status === 200) {
        if (typeof parsed.accepted !== "number" || !Array.isArray(parsed.rejected)) {
          throw new Error(`200 without counts: ${body.slice(0, 300)}`);
        }
        const added = eventCount(after) - eventCount(before);
        if (added !== parsed.accepted) {
          throw new Error(`accepted ${parsed.accepted} but ${added} events were stored`);
        }
        if (parsed.accepted === 0 && changedTables(before, after).length) {
          throw new Error(
            `nothing accepted yet changed ${changedTables(before, after).join("; ")}`,
          );
        }
      } else {
        if (!parsed.error?.code) throw new Error(`HTTP ${status} without an error code: ${body}`);
        const changed = changedTables(before, after);
        if (changed.length) throw new Error(`HTTP ${status} yet changed ${changed.join("; ")}`);
      }
    });
    const details = await fc.check(property, {
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
          `request: ${JSON.stringify(abbreviate(details.counterexample?.[0]), null, 1)}`,
      );
    }
    expect(details.interrupted).toBe(false);
    expect(
      changedTables(workspaceB, await fingerprints.workspace(rowId(shopB.workspaceId))),
    ).toEqual([]);
  }, 60_000);
});
