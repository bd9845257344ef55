import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { createYoga, maskError } from "graphql-yoga";
import { resolvePrincipal } from "./auth.ts";
import type { Context } from "./context.ts";
import { schema } from "./schema.ts";

export interface YogaOptions {
  adminKey: string;
  maxQueryDepth: number;
  maxQueryCost: number;
}

/** GraphQL over HTTP at `/graphql`, with GraphiQL, masked internal errors and query limits. */
export function makeYoga(options: YogaOptions) {
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: { title: "Cartwheel GraphQL" },
    landingPage: false,
    maskedErrors: { maskError: keepExpectedErrors },
    context: async ({ request }) => ({
      principal: await resolvePrincipal(request, options.adminKey),
    }),
    plugins: [
      maxDepthPlugin({ n: options.maxQueryDepth, exposeLimits: true }),
      costLimitPlugin({ maxCost: options.maxQueryCost, exposeLimits: true }),
    ],
  });
}

/**
 * Unexpected errors are masked; expected ones (a key without a scope) keep their message and
 * code. Checked by code rather than class, since a GraphQLError can come from either of
 * graphql's CommonJS and ESM builds.
 */
function keepExpectedErrors(error: unknown, message: string, isDev?: boolean) {
  const original = (error as { originalError?: { extensions?: { code?: unknown } } }).originalError;
  if (original?.extensions?.code === "FORBIDDEN") return error as Error;
  return maskError(error, message, isDev);
}
