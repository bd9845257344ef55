import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { resolvePrincipal } from "./graphql/auth.ts";
import type { Context } from "./graphql/context.ts";
import { schema } from "./graphql/schema.ts";

export interface AppOptions {
  adminKey: string;
  /** Deepest selection a query may have. Default 10. */
  maxQueryDepth?: number;
  /** Highest cost (graphql-armor's estimate) a query may have. Default 20,000. */
  maxQueryCost?: number;
}

export type CartwheelApp = YogaServerInstance<Record<string, never>, Context>;

/**
 * The Cartwheel HTTP app: GraphQL (with GraphiQL) at `/graphql`. It is a fetch handler, so
 * tests call `app.fetch` in process and `server.ts` mounts it on Node's HTTP server.
 *
 * @example const app = makeApp({ adminKey }); await app.fetch("http://local/graphql", …)
 */
export function makeApp(options: AppOptions): CartwheelApp {
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
      maxDepthPlugin({ n: options.maxQueryDepth ?? 10, exposeLimits: true }),
      costLimitPlugin({ maxCost: options.maxQueryCost ?? 20_000, exposeLimits: true }),
    ],
  });
}
