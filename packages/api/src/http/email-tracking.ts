import { type Context, Hono } from "hono";
import { emailConfig } from "../config.ts";
import { verifyLinkSignature } from "../domain/messages/compose/email-links.ts";
import {
  recordEmailClick,
  recordEmailOpen,
} from "../domain/messages/engagement/record-engagement.ts";

export interface EmailTrackingOptions {
  /** HMAC secret of the links. Default: `emailConfig().signingSecret`. */
  secret?: string;
}

const transparentGif = Buffer.from(
  "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  "base64",
);

/**
 * The open pixel (`GET /email/open/:messageId/:signature.gif`) and click redirect
 * (`GET /email/click/:messageId/:signature?url=…`). Only signed links count or redirect: a
 * click link whose signature does not cover exactly its `url` answers 400 and redirects
 * nowhere, so the route is no open redirect. The pixel always answers with the GIF.
 *
 * @example app.route("/", makeEmailTrackingRoutes())
 */
export function makeEmailTrackingRoutes(options: EmailTrackingOptions = {}): Hono {
  const secret = () => options.secret ?? emailConfig().signingSecret;
  const routes = new Hono();

  routes.get("/email/open/:messageId/:signature", async (c) => {
    const { messageId, signature } = c.req.param();
    const bare = signature.replace(/\.gif$/, "");
    if (verifyLinkSignature(secret(), "open", messageId, bare)) {
      await recordEmailOpen(messageId, requestOrigin(c)).catch((error: unknown) => {
        console.error("cartwheel: could not record an email open", error);
      });
    }
    return c.body(new Uint8Array(transparentGif), 200, {
      "content-type": "image/gif",
      "cache-control": "no-store, no-cache, must-revalidate, private",
    });
  });

  routes.get("/email/click/:messageId/:signature", async (c) => {
    const { messageId, signature } = c.req.param();
    const url = c.req.query("url") ?? "";
    if (
      !/^https?:\/\//i.test(url) ||
      !verifyLinkSignature(secret(), "click", messageId, signature, url)
    ) {
      return c.text("This link is not valid.", 400);
    }
    await recordEmailClick(messageId, url, requestOrigin(c)).catch((error: unknown) => {
      console.error("cartwheel: could not record an email click", error);
    });
    return c.redirect(url, 302);
  });

  return routes;
}

/** The client's user agent and address (first `X-Forwarded-For` hop when behind a proxy). */
export function requestOrigin(c: Context): { userAgent: string | null; ip: string | null } {
  const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return {
    userAgent: c.req.header("user-agent") ?? null,
    ip: forwarded || incoming?.socket?.remoteAddress || null,
  };
}
