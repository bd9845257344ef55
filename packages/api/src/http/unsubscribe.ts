import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { emailConfig } from "../config.ts";
import { verifyLinkSignature } from "../domain/messages/compose/email-links.ts";
import {
  type EmailPreferences,
  loadEmailPreferences,
  resubscribeByMessage,
  unsubscribeByMessage,
  unsubscribeSources,
} from "../domain/messages/engagement/unsubscribe.ts";
import {
  confirmUnsubscribePage,
  invalidLinkPage,
  preferencesPage,
  testSendPage,
  unsubscribedPage,
} from "./unsubscribe-pages.ts";

/** The largest form the unsubscribe and preference pages accept. */
const maxFormBytes = 16 * 1024;

export interface UnsubscribeRoutesOptions {
  /** HMAC secret of the links. Default: `emailConfig().signingSecret`. */
  secret?: string;
}

/**
 * Unsubscribing and the preference centre, reached through a message's signed links:
 * - `POST /email/unsubscribe/:id/:sig` with `List-Unsubscribe=One-Click` (RFC 8058, sent by
 *   mail clients) unsubscribes at once and answers 200;
 * - `GET` of the same URL shows a confirmation page (link scanners that follow it change
 *   nothing), whose button POSTs back;
 * - `GET /email/preferences/:id/:sig` shows the current choice; `POST action=unsubscribe|resubscribe`
 *   changes it.
 * Each change updates the contact's consent and records an `Unsubscribed`/`Resubscribed` event
 * with its source.
 *
 * @example app.route("/", makeUnsubscribeRoutes())
 */
export function makeUnsubscribeRoutes(options: UnsubscribeRoutesOptions = {}): Hono {
  const secret = () => options.secret ?? emailConfig().signingSecret;
  const routes = new Hono();
  /** The message of a correctly signed link and what its pages show, or null. */
  const linkedMessage = async (c: Context) => {
    const { messageId = "", signature = "" } = c.req.param();
    if (!verifyLinkSignature(secret(), "manage", messageId, signature)) return null;
    const preferences = await loadEmailPreferences(messageId);
    return preferences && { messageId, preferences };
  };
  const preferencesUrl = (c: Context) =>
    c.req.path.replace("/email/unsubscribe/", "/email/preferences/");

  routes.get("/email/unsubscribe/:messageId/:signature", async (c) => {
    const linked = await linkedMessage(c);
    if (!linked) return c.html(invalidLinkPage(), 404);
    const { preferences } = linked;
    if (preferences.isTest) return c.html(testSendPage());
    return c.html(confirmUnsubscribePage(preferences, c.req.path));
  });

  // A form here holds one or two short fields; a bigger body is refused before it is parsed.
  const limit = bodyLimit({
    maxSize: maxFormBytes,
    onError: (c) => c.text("Request too large", 413),
  });

  routes.post("/email/unsubscribe/:messageId/:signature", limit, async (c) => {
    const linked = await linkedMessage(c);
    if (!linked) return c.html(invalidLinkPage(), 404);
    const { messageId, preferences } = linked;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const oneClick = form["List-Unsubscribe"] === "One-Click";
    if (preferences.isTest)
      return oneClick ? c.text("Test email: nothing changed") : c.html(testSendPage());
    await unsubscribeByMessage(
      messageId,
      oneClick ? unsubscribeSources.oneClick : unsubscribeSources.unsubscribePage,
    );
    if (oneClick) return c.text("Unsubscribed");
    return c.html(unsubscribedPage(preferences, preferencesUrl(c)));
  });

  routes.get("/email/preferences/:messageId/:signature", async (c) => {
    const linked = await linkedMessage(c);
    if (!linked) return c.html(invalidLinkPage(), 404);
    const { preferences } = linked;
    if (preferences.isTest) return c.html(testSendPage());
    return c.html(preferencesPage(preferences, c.req.path));
  });

  routes.post("/email/preferences/:messageId/:signature", limit, async (c) => {
    const linked = await linkedMessage(c);
    if (!linked) return c.html(invalidLinkPage(), 404);
    const { messageId, preferences } = linked;
    if (preferences.isTest) return c.html(testSendPage());
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const action = form.action;
    if (action !== "unsubscribe" && action !== "resubscribe") {
      return c.html(preferencesPage(preferences, c.req.path, "Choose an option."), 400);
    }
    if (action === "unsubscribe") {
      await unsubscribeByMessage(messageId, unsubscribeSources.preferenceCentre);
    } else {
      await resubscribeByMessage(messageId, unsubscribeSources.preferenceCentre);
    }
    const updated: EmailPreferences = {
      ...preferences,
      consentStatus: action === "unsubscribe" ? "UNSUBSCRIBED" : "SUBSCRIBED",
    };
    const notice = action === "unsubscribe" ? "You are unsubscribed." : "You are subscribed again.";
    return c.html(preferencesPage(updated, c.req.path, notice));
  });

  return routes;
}
