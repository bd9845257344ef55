import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { emailConfig } from "../config.ts";
import { ingestRateLimiter, type RateLimiter } from "../domain/events/rate-limit.ts";
import { verifyLinkSignature } from "../domain/messages/compose/email-links.ts";
import {
  confirmSubscription,
  loadConfirmationRequest,
} from "../domain/messages/subscriptions/confirm-subscription.ts";
import { requestSubscription } from "../domain/messages/subscriptions/request-subscription.ts";
import { InvalidInputError } from "../domain/shared/errors.ts";
import { someWorkspaceAllowsOrigin } from "../domain/workspaces/allowed-origins.ts";
import { authorizeBrowserKey, errorBody, failOpenly } from "./browser-key-access.ts";
import { corsHeaders } from "./cors.ts";
import { requestOrigin } from "./email-tracking.ts";
import {
  confirmSubscriptionPage,
  expiredConfirmationPage,
  subscribedPage,
} from "./subscription-pages.ts";
import { invalidLinkPage } from "./unsubscribe-pages.ts";

export interface SubscribeRoutesOptions {
  rateLimiter?: RateLimiter;
  /** HMAC secret of the links. Default: `emailConfig().signingSecret`. */
  secret?: string;
}

/** A signup is an address and two short fields; nothing needs more than this. */
const maxSubscribeBodyBytes = 16 * 1024;

const subscribeBody = z.object({
  writeKey: z.string().optional(),
  email: z.unknown(),
  source: z.unknown().optional(),
  firstName: z.unknown().optional(),
});

/**
 * Storefront signups and their double opt-in:
 * - `POST /v1/subscribe` `{ writeKey, email, source?, firstName? }` (the SDK's `subscribe`, a
 *   public key from an allowed origin, or a secret key) answers `200 { outcome }`:
 *   `confirmation_sent`, `confirmation_already_sent`, `subscribed` (no double opt-in) or
 *   `already_subscribed`; 400 with the field for bad input, 401/403/429 as `/v1/batch`, 413
 *   past 16 KB.
 * - `GET /email/confirm/:id/:sig` shows the confirmation (link scanners change nothing);
 *   `POST` of it subscribes, keeping the time, IP and user agent as proof.
 *
 * @example app.route("/", makeSubscribeRoutes())
 */
export function makeSubscribeRoutes(options: SubscribeRoutesOptions = {}): Hono {
  const limiter = () => options.rateLimiter ?? ingestRateLimiter();
  const secret = () => options.secret ?? emailConfig().signingSecret;
  const routes = new Hono();

  routes.options("/v1/subscribe", async (c) => {
    const origin = c.req.header("origin");
    if (origin && (await someWorkspaceAllowsOrigin(origin))) {
      return c.body(null, 204, corsHeaders(origin));
    }
    return c.body(null, 403, { Vary: "Origin" });
  });

  const limit = bodyLimit({
    maxSize: maxSubscribeBodyBytes,
    onError: (c) =>
      failOpenly(
        c,
        413,
        "body_too_large",
        `the body is larger than ${maxSubscribeBodyBytes} bytes`,
      ),
  });
  routes.post("/v1/subscribe", limit, async (c) => {
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      return failOpenly(c, 400, "invalid_json", "the body is not JSON");
    }
    const body = subscribeBody.safeParse(json);
    if (!body.success)
      return failOpenly(c, 400, "invalid_body", "send { writeKey, email, source? }");
    const authorized = await authorizeBrowserKey(c, body.data.writeKey, limiter());
    if ("refused" in authorized) return authorized.refused;
    const { grant, cors } = authorized;
    try {
      const { outcome } = await requestSubscription(
        grant.workspaceId,
        {
          email: body.data.email as string,
          ...(body.data.source !== undefined && { source: body.data.source as string }),
          ...(body.data.firstName !== undefined && { firstName: body.data.firstName as string }),
        },
        requestOrigin(c),
      );
      return c.json({ outcome }, 200, cors);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return c.json(errorBody("invalid_input", error.message), 400, cors);
    }
  });

  const linked = (c: Context) => {
    const { messageId = "", signature = "" } = c.req.param();
    return verifyLinkSignature(secret(), "confirm", messageId, signature) ? messageId : null;
  };

  routes.get("/email/confirm/:messageId/:signature", async (c) => {
    const messageId = linked(c);
    const request = messageId && (await loadConfirmationRequest(messageId));
    if (!request) return c.html(invalidLinkPage(), 404);
    if (request.subscribed) return c.html(subscribedPage(request));
    if (!request.valid) return c.html(expiredConfirmationPage(), 410);
    return c.html(confirmSubscriptionPage(request, c.req.path));
  });

  routes.post("/email/confirm/:messageId/:signature", async (c) => {
    const messageId = linked(c);
    const request = messageId && (await loadConfirmationRequest(messageId));
    if (!messageId || !request) return c.html(invalidLinkPage(), 404);
    if (!(await confirmSubscription(messageId, requestOrigin(c)))) {
      return c.html(expiredConfirmationPage(), 410);
    }
    return c.html(subscribedPage(request));
  });
  return routes;
}
