import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError, type ValidationContext } from "graphql";
import { createYoga, maskError } from "graphql-yoga";
import { databaseConfig } from "../config.ts";
import { isDatabaseUnavailable } from "../database-unavailable.ts";
import { resolvePrincipal } from "./auth.ts";
import type { Context } from "./context.ts";
import { ChangeFeed } from "./live/change-feed.ts";
import { schema } from "./schema.ts";
import { UnauthenticatedError } from "./unauthenticated-error.ts";

const databaseUnavailableMessage = "The database is not reachable right now; retry shortly.";
const databaseRetryAfterSeconds = 5;

export interface YogaOptions {
  adminKey: string;
  maxQueryDepth: number;
  maxQueryCost: number;
}

/**
 * GraphQL over HTTP at `/graphql`, with GraphiQL (served from the package, so it works offline),
 * masked internal errors and query limits. A wrong, malformed or revoked key fails the whole
 * request with UNAUTHENTICATED (HTTP 401); no key at all leaves only what needs no key.
 * Subscriptions are served over SSE (`Accept: text/event-stream`) from this process's change
 * feed.
 */
export function makeYoga(options: YogaOptions) {
  const feed = new ChangeFeed(() => databaseConfig().url);
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: {
      title: "Cartwheel GraphQL",
      defaultHeaders: JSON.stringify({ Authorization: "Bearer <your secret key>" }, null, 2),
      defaultEditorToolsVisibility: "headers",
    },
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: keepExpectedErrors },
    context: async ({ request }) => {
      const principal = await resolvePrincipal(request, options.adminKey);
      if (principal.kind === "anonymous" && principal.credential !== "missing") {
        throw new UnauthenticatedError(principal.credential);
      }
      return { principal, feed };
    },
    plugins: [
      { onDispose: () => feed.close() },
      maxDepthPlugin({
        n: options.maxQueryDepth,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [reportLimit("QUERY_TOO_DEEP")],
      }),
      costLimitPlugin({
        maxCost: options.maxQueryCost,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [reportLimit("QUERY_TOO_COSTLY")],
      }),
    ],
  });
}

/**
 * graphql-armor words a limit as "Syntax Error: …", which sends developers looking for a typo:
 * report it as what it is, with a code a client can branch on.
 */
function reportLimit(code: "QUERY_TOO_DEEP" | "QUERY_TOO_COSTLY") {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const message = error.message.replace(/^Syntax Error: /, "");
    context?.reportError(new GraphQLError(message, { extensions: { code } }));
  };
}

/**
 * Unexpected errors are masked; the database being away is a 503 with DATABASE_UNAVAILABLE;
 * expected ones (a key without a scope, bad arguments to a query
 * field) keep their message and code. Checked by code rather than class, since a GraphQLError
 * can come from either of graphql's CommonJS and ESM builds.
 */
function keepExpectedErrors(error: unknown, message: string, isDev?: boolean) {
  const original = (error as { originalError?: { extensions?: { code?: unknown } } }).originalError;
  if (isDatabaseUnavailable(original ?? error)) {
    return new GraphQLError(databaseUnavailableMessage, {
      extensions: {
        code: "DATABASE_UNAVAILABLE",
        http: { status: 503, headers: { "Retry-After": String(databaseRetryAfterSeconds) } },
      },
    });
  }
  const code = original?.extensions?.code;
  if (
    code === "FORBIDDEN" ||
    code === "UNAUTHENTICATED" ||
    code === "BAD_USER_INPUT" ||
    code === "NOT_FOUND"
  ) {
    return error as Error;
  }
  return maskError(error, message, isDev);
}
