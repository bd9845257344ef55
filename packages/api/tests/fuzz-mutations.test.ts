import { decodeGlobalID } from "@pothos/plugin-relay";
import fc from "fast-check";
import {
  buildClientSchema,
  type GraphQLField,
  getIntrospectionQuery,
  getNamedType,
  graphqlSync,
  type IntrospectionQuery,
  isUnionType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema as builtSchema } from "../src/graphql/schema.ts";
import {
  changedTables,
  connectFingerprints,
  type Fingerprint,
} from "./support/database-fingerprint.ts";
import { makeIdPool } from "./support/fuzz-ids.ts";
import { abbreviate, makeTally } from "./support/fuzz-report.ts";
import { seedFuzzWorkspace } from "./support/fuzz-seed.ts";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";
import { makeArgumentArbitraries } from "./support/schema-arbitraries.ts";

/**
 * Every mutation of the schema, fed generated hostile input by a key of workspace A: each answer
 * must be the mutation's success or an error type its result union declares (or, for input of
 * the wrong type, GraphQL's own refusal of the variables): never a masked internal error or an
 * HTTP 5xx. A refusal must leave every table of the database as it was, and workspace B's rows
 * must never change nor its ids make a mutation of A succeed.
 *
 * FUZZ_SEED and FUZZ_RUNS (cases per mutation) override the fixed seed and the default 24.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const runsPerMutation = Number(process.env.FUZZ_RUNS ?? 24);
/** One answer slower than this fails the case: a refusal must come in bounded time. */
const caseTimeLimitMs = 5_000;
/** A mutation's cases must all run within this (about 50 ms a case is usual here). */
const mutationTimeLimitMs = Math.max(20_000, runsPerMutation * 500);

/** The schema as a client sees it, by introspection of the one the app serves. */
const introspected = graphqlSync({
  schema: builtSchema,
  source: getIntrospectionQuery({ oneOf: true }),
});
const schema = buildClientSchema(introspected.data as unknown as IntrospectionQuery);
const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});

/** Paths where the schema documents that a workspace key's value is ignored. */
const ignoredForWorkspaceKeys = new Set([
  // "Required with the root admin key; a workspace key creates keys for its own workspace."
  "createApiKey.input.workspaceId",
  // "The workspace (admin key only; a workspace key replays its own)."
  "replayCommerceHistory.input.workspaceId",
]);

const adminOnly = (name: string) => {
  const scopes = (
    builtSchema.getMutationType()?.getFields()[name]?.extensions as {
      pothosOptions?: { authScopes?: Record<string, unknown> };
    }
  )?.pothosOptions?.authScopes;
  return !!scopes && Object.keys(scopes).every((scope) => scope === "admin");
};

const api = makeTestApi();
const tally = makeTally();
let shopA: Awaited<ReturnType<typeof createTestWorkspace>>;
let shopB: Awaited<ReturnType<typeof createTestWorkspace>>;
let ids: Awaited<ReturnType<typeof makeIdPool>>;
let fingerprints: Awaited<ReturnType<typeof connectFingerprints>>;
let workspaceB: Fingerprint;
/** The database's fingerprint after the last case, if that case changed nothing. */
let unchangedSince: Fingerprint | null = null;
let foreignCases = 0;

beforeAll(async () => {
  shopA = await createTestWorkspace(api);
  shopB = await createTestWorkspace(api);
  await seedFuzzWorkspace(api, shopA.secretKey);
  await seedFuzzWorkspace(api, shopB.secretKey);
  ids = await makeIdPool(builtSchema, {
    own: decodeGlobalID(shopA.workspaceId).id,
    foreign: decodeGlobalID(shopB.workspaceId).id,
  });
  // Both workspaces hold real rows of most node types (carts, messages and runs are tried as
  // forged ids only), so fuzzed ids name real rows of A and of B.
  expect(ids.sizes().own).toBeGreaterThanOrEqual(10);
  expect(ids.sizes().foreign).toBe(ids.sizes().own);
  fingerprints = await connectFingerprints();
  workspaceB = await fingerprints.workspace(decodeGlobalID(shopB.workspaceId).id);
});

afterAll(async () => {
  tally.print(
    `fuzz-mutations: seed ${seed}, ${mutations.length} mutations, ${tally.total()} cases ` +
      `(${foreignCases} with workspace B's ids)`,
  );
  await ids?.end();
  await fingerprints?.end();
});

interface Outcome {
  outcome: "success" | "typed error" | "refused by GraphQL";
  typename?: string;
}

/** Sends one case and checks its answer; throws, saying why, on anything but a declared result. */
async function send(field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>) {
  const declared = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const query = `mutation Fuzz${declared ? `(${declared})` : ""} {
    result: ${field.name}${passed ? `(${passed})` : ""} { __typename ... on Error { message } }
  }`;
  const key = adminOnly(field.name) ? testAdminKey : shopA.secretKey;
  const response = await api.app.request("http://cartwheel.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  if (response.status >= 500) throw new Error(`HTTP ${response.status}: ${text.slice(0, 500)}`);
  let body: { data?: { result?: { __typename: string } | null } | null; errors?: unknown[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  const result = body.data?.result;
  if (body.errors?.length) {
    const errors = body.errors as { message: string; path?: unknown }[];
    const internal = errors.filter(
      (e) => e.path !== undefined || /unexpected error/i.test(e.message),
    );
    if (result != null || internal.length) {
      throw new Error(`an error outside the result union: ${JSON.stringify(body).slice(0, 800)}`);
    }
    return { outcome: "refused by GraphQL" } satisfies Outcome;
  }
  const union = getNamedType(field.type);
  if (!result || !isUnionType(union)) throw new Error(`no result: ${text.slice(0, 500)}`);
  const member = union.getTypes().find((type) => type.name === result.__typename);
  if (!member) throw new Error(`${result.__typename} is not a member of ${union.name}`);
  const isError = member.getInterfaces().some((i) => i.name === "Error");
  return {
    outcome: isError ? "typed error" : "success",
    typename: result.__typename,
  } satisfies Outcome;
}

describe("every mutation, fuzzed from the schema", () => {
  const { caseOf } = makeArgumentArbitraries();
  const buildable = mutations.map((field) => {
    try {
      return { field, arbitrary: caseOf(field.args), failure: null };
    } catch (error) {
      return { field, arbitrary: null, failure: (error as Error).message };
    }
  });

  it("has a generator for every mutation's arguments and a result union with error types", () => {
    const problems = buildable.flatMap((entry) => {
      const union = getNamedType(entry.field.type);
      const errorTypes = isUnionType(union)
        ? union.getTypes().filter((t) => t.getInterfaces().some((i) => i.name === "Error"))
        : [];
      return [
        ...(entry.failure ? [`${entry.field.name}: ${entry.failure}`] : []),
        ...(errorTypes.length ? [] : [`${entry.field.name}: its result declares no error types`]),
      ];
    });
    expect(problems).toEqual([]);
    expect(mutations.length).toBeGreaterThan(40);
  });

  for (const { field, arbitrary } of buildable) {
    if (!arbitrary) continue;
    it(
      `${field.name}: only declared results, and a refusal changes nothing`,
      async () => {
        await ids.refresh();
        const property = fc.asyncProperty(arbitrary, async ({ profile, args }) => {
          const foreignAt: string[] = [];
          const variables = ids.fill(args, [], foreignAt) as Record<string, unknown>;
          const before = unchangedSince ?? (await fingerprints.all());
          unchangedSince = null;
          const started = performance.now();
          const { outcome } = await send(field, variables);
          const took = performance.now() - started;
          if (took > caseTimeLimitMs) throw new Error(`answered in ${Math.round(took)} ms`);
          tally.add(field.name, outcome);
          if (outcome !== "success") {
            const after = await fingerprints.all();
            const changed = changedTables(before, after);
            if (changed.length)
              throw new Error(`refused (${profile}) yet changed ${changed.join("; ")}`);
            unchangedSince = after;
          }
          if (foreignAt.length) {
            foreignCases += 1;
            const leaked = foreignAt
              .map((path) => `${field.name}.${path.replace(/\.\d+(?=\.|$)/g, "")}`)
              .filter((path) => !ignoredForWorkspaceKeys.has(path));
            if (outcome === "success" && leaked.length) {
              throw new Error(`succeeded with another workspace's id at ${leaked.join(", ")}`);
            }
          }
        });
        const details = await fc.check(property, {
          seed,
          numRuns: runsPerMutation,
          endOnFailure: true,
          interruptAfterTimeLimit: mutationTimeLimitMs,
        });
        if (details.interrupted) {
          throw new Error(
            `${field.name}: only ${details.numRuns} cases ran in ${mutationTimeLimitMs} ms (seed ${seed})`,
          );
        }
        if (details.failed) {
          const error =
            details.errorInstance instanceof Error ? details.errorInstance.message : details.error;
          throw new Error(
            `${field.name} failed (seed ${details.seed}, path "${details.counterexamplePath}"): ${error}\n` +
              `input: ${JSON.stringify(abbreviate(details.counterexample?.[0]), null, 1)}`,
          );
        }
        const b = await fingerprints.workspace(decodeGlobalID(shopB.workspaceId).id);
        expect(changedTables(workspaceB, b)).toEqual([]);
      },
      mutationTimeLimitMs + 10_000,
    );
  }
});
