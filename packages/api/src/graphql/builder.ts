import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import {
  DateResolver,
  DateTimeResolver,
  JSONObjectResolver,
  JSONResolver,
  SafeIntResolver,
} from "graphql-scalars";
import { db } from "../db.ts";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import { type AuthScopes, authScopesOf } from "./auth-scopes.ts";
import type { Context } from "./context.ts";
import { ForbiddenError } from "./forbidden-error.ts";
import StorableTextPlugin from "./storable-text-plugin.ts";
import { UnauthenticatedError } from "./unauthenticated-error.ts";

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
    JSON: { Input: unknown; Output: unknown };
    SafeInt: { Input: number; Output: number };
    ID: { Input: string; Output: string | number | bigint };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, ScopeAuthPlugin, PrismaPlugin, RelayPlugin, StorableTextPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // No key at all is a different mistake from a key without the scope.
    unauthorizedError: (_parent, { principal }) =>
      principal.kind === "anonymous"
        ? new UnauthenticatedError(principal.credential)
        : new ForbiddenError(),
    authScopes: async ({ principal }) => authScopesOf(principal),
  },
  prisma: {
    client: () => db(),
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    cursorType: "String",
    clientMutationId: "omit",
  },
  errors: { defaultTypes: [] },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("Date", DateResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
builder.addScalarType("JSON", JSONResolver);
builder.addScalarType("SafeInt", SafeIntResolver, {
  description:
    "An integer up to 2^53 - 1, exact in JSON and JavaScript. Amounts in minor units use it (a total can pass 2^31 cents).",
});
