import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { createYoga } from "graphql-yoga";
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
    maskedErrors: true,
    context: async ({ request }) => ({
      principal: await resolvePrincipal(request, options.adminKey),
    }),
    plugins: [
      maxDepthPlugin({ n: options.maxQueryDepth, exposeLimits: true }),
      costLimitPlugin({ maxCost: options.maxQueryCost, exposeLimits: true }),
    ],
  });
}
