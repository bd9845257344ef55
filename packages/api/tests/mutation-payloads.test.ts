import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { type ApiScope, apiScopes } from "../src/domain/workspaces/api-keys.ts";
import { authScopesOf } from "../src/graphql/auth-scopes.ts";
import type { Principal } from "../src/graphql/context.ts";
import { schema } from "../src/graphql/schema.ts";

type ScopeMap = Record<string, unknown>;

const key = (scopes: "all" | ApiScope[], keyKind: "SECRET" | "PUBLIC" = "SECRET"): Principal => ({
  kind: "key",
  keyId: "k",
  workspaceId: "w",
  keyKind,
  scopes: scopes === "all" ? "all" : new Set(scopes),
});

const principals: [string, Principal][] = [
  ["the admin key", { kind: "admin" }],
  ["a full secret key", key("all")],
  ["a public key", key([], "PUBLIC")],
  ...apiScopes.map((scope): [string, Principal] => [`a ${scope} key`, key([scope])]),
];

/** Pothos's `authScopes` option: any one entry suffices; `$all` / `$any` nest. */
function passes(scopes: ScopeMap | undefined, principal: Principal): boolean {
  if (!scopes) return true;
  if (typeof scopes === "function") throw new Error("authScopes functions are not checked here");
  const granted = authScopesOf(principal) as Record<string, unknown>;
  return Object.entries(scopes).some(([name, value]) => {
    if (name === "$all")
      return Object.entries(value as ScopeMap).every(([n, v]) => passes({ [n]: v }, principal));
    if (name === "$any") return passes(value as ScopeMap, principal);
    const check = granted[name];
    return typeof check === "function" ? check(value) : check === value;
  });
}

const authScopes = (thing: { extensions?: unknown }) =>
  (thing.extensions as { pothosOptions?: { authScopes?: ScopeMap } } | undefined)?.pothosOptions
    ?.authScopes;

/** The non-null paths under `type` a principal could not read: each would null its parent. */
function unreadable(
  type: GraphQLObjectType,
  principal: Principal,
  path: string,
  seen: Set<string>,
) {
  const found: string[] = [];
  for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
    if (!isNonNullType(field.type)) continue;
    const target: GraphQLNamedType = getNamedType(field.type);
    const here = `${path}.${field.name}`;
    const typeScopes =
      isObjectType(target) || isInterfaceType(target) ? authScopes(target) : undefined;
    if (!passes(authScopes(field), principal) || !passes(typeScopes, principal)) {
      found.push(here);
      continue;
    }
    if (isObjectType(target) && !seen.has(target.name)) {
      found.push(...unreadable(target, principal, here, new Set([...seen, target.name])));
    }
  }
  return found;
}

describe("mutation payloads", () => {
  it("never answer data: null after a commit: whoever may call a mutation may read its non-null result", () => {
    const problems: string[] = [];
    const mutation = schema.getMutationType();
    if (!mutation) throw new Error("no mutations");
    for (const field of Object.values(mutation.getFields())) {
      const result = getNamedType(field.type);
      const success = isUnionType(result)
        ? result
            .getTypes()
            .find((member) => !member.getInterfaces().some((i) => i.name === "Error"))
        : isObjectType(result)
          ? result
          : undefined;
      if (!success) continue;
      for (const [who, principal] of principals) {
        if (!passes(authScopes(field), principal)) continue;
        for (const path of unreadable(success, principal, field.name, new Set([success.name]))) {
          problems.push(`${who}: ${path}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("checks something: a key that may create a workspace's key could read the key", () => {
    expect(passes({ admin: true, scope: "keys:write" }, { kind: "admin" })).toBe(true);
    expect(passes({ scope: "contacts:read" }, key(["events:write"]))).toBe(false);
    expect(passes({ scope: "contacts:read" }, key(["contacts:write"]))).toBe(true);
    expect(passes({ scope: "events:read" }, key(["events:write"]))).toBe(false);
  });
});
