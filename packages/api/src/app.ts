import { Hono } from "hono";
import { makeYoga } from "./graphql/yoga.ts";
import { makeEmailTrackingRoutes } from "./http/email-tracking.ts";
import { makeIngestRoutes } from "./http/ingest-routes.ts";
import {
  makeSesNotificationRoutes,
  type SesNotificationRoutesOptions,
} from "./http/ses-notifications.ts";
import { makeSubscribeRoutes } from "./http/subscribe-routes.ts";
import { answerUnhandledError } from "./http/unhandled-error-answer.ts";
import { makeUnsubscribeRoutes } from "./http/unsubscribe.ts";

export interface AppOptions {
  adminKey: string;
  /** Deepest selection a GraphQL query may have. Default 10. */
  maxQueryDepth?: number;
  /** Highest cost (graphql-armor's estimate) a GraphQL query may have. Default 20,000. */
  maxQueryCost?: number;
  /** How `POST /email/ses-notifications` verifies and confirms SNS messages. Default: SNS over https. */
  sesNotifications?: SesNotificationRoutesOptions;
}

/** The fetch handler, and `close` for shutdown (it ends live subscriptions and their feed). */
export type CartwheelApp = Hono & { close(): Promise<void> };

/**
 * The Cartwheel HTTP app: GraphQL (with GraphiQL) at `/graphql`, beside the plain HTTP routes
 * browsers and mail clients need. It is a fetch handler, so tests call `app.fetch` in process
 * and `server.ts` mounts it on Node's HTTP server.
 *
 * @example const app = makeApp({ adminKey }); await app.fetch(new Request("http://local/graphql", …))
 */
export function makeApp(options: AppOptions): CartwheelApp {
  const yoga = makeYoga({
    adminKey: options.adminKey,
    maxQueryDepth: options.maxQueryDepth ?? 10,
    maxQueryCost: options.maxQueryCost ?? 20_000,
  });
  const app = new Hono();
  app.onError(answerUnhandledError);
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.on(["GET", "POST", "OPTIONS"], "/graphql", (c) => yoga.fetch(c.req.raw));
  app.route("/", makeIngestRoutes());
  app.route("/", makeEmailTrackingRoutes());
  app.route("/", makeUnsubscribeRoutes());
  app.route("/", makeSesNotificationRoutes(options.sesNotifications));
  app.route("/", makeSubscribeRoutes());
  return Object.assign(app, { close: async () => yoga.dispose() });
}
