import { type Context, Hono } from "hono";
import { z } from "zod";
import { emailConfig } from "../config.ts";
import { checkIngestAccess } from "../domain/events/ingest-access.ts";
import { ingestRateLimiter, type RateLimiter } from "../domain/events/rate-limit.ts";
import { verifyLinkSignature } from "../domain/messages/compose/email-links.ts";
import {
  confirmSubscription,
  loadConfirmationRequest,
} from "../domain/messages/subscriptions/confirm-subscription.ts";
import { requestSubscription } from "../domain/messages/subscriptions/request-subscription.ts";
import { InvalidInputError } from "../domain/shared/errors.ts";
import { someWorkspaceAllowsOrigin } from "../domain/workspaces/allowed-origins.ts";
import { grantAllows, verifyApiKey } from "../domain/workspaces/api-keys.ts";
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
 *   `already_subscribed`; 400 with the field for bad input.
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

  routes.post("/v1/subscribe", async (c) => {
    const origin = c.req.header("origin");
    const fail = (status: 400 | 401 | 403 | 429, code: string, message: string, headers = {}) =>
      c.json({ error: { code, message } }, status, {
        ...(origin && { "Access-Control-Allow-Origin": origin, Vary: "Origin" }),
        ...headers,
      });
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      return fail(400, "invalid_json", "the body is not JSON");
    }
    const body = subscribeBody.safeParse(json);
    if (!body.success) return fail(400, "invalid_body", "send { writeKey, email, source? }");
    const key =
      /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? body.data.writeKey;
    if (!key) return fail(401, "missing_key", "send the write key as writeKey");
    const grant = await verifyApiKey(key);
    if (!grant) return fail(401, "invalid_key", "unknown or revoked key");
    if (!grantAllows(grant, "events:write")) {
      return fail(403, "missing_scope", "this key lacks the events:write scope");
    }
    const access = await checkIngestAccess(grant, origin, limiter());
    if (!access.allowed) {
      return access.reason === "origin_not_allowed"
        ? fail(
            403,
            "origin_not_allowed",
            `origin ${origin ?? "(none)"} is not allowed for this key`,
          )
        : fail(429, "rate_limited", "too many requests for this key", {
            "Retry-After": String(access.retryAfterSeconds),
          });
    }
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
      return c.json(
        { outcome },
        200,
        grant.keyKind === "PUBLIC" && origin ? corsHeaders(origin) : {},
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return fail(400, "invalid_input", error.message);
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
