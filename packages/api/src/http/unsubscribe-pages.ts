import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { EmailPreferences } from "../domain/messages/engagement/unsubscribe.ts";

export type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The plain page every email link lands on. */
export function layout(title: string, body: Page): Page {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f5f4;color:#1c1917;margin:0}
main{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin-top:0}button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1c1917;background:#1c1917;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1c1917}form{display:inline-block;margin:.5rem .5rem 0 0}p.status{color:#57534e}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** The GET confirmation page of an unsubscribe link: nothing changes until the button is pressed. */
export function confirmUnsubscribePage(preferences: EmailPreferences, action: string): Page {
  return layout(
    "Unsubscribe",
    html`<h1>Unsubscribe from ${preferences.shopName}?</h1>
<p>${preferences.email ?? "This address"} will no longer receive marketing emails from ${preferences.shopName}. Order and account emails still arrive.</p>
<form method="post" action="${action}"><input type="hidden" name="confirm" value="1"><button type="submit">Unsubscribe</button></form>`,
  );
}

/** Shown after unsubscribing, with the way back. */
export function unsubscribedPage(preferences: EmailPreferences, preferencesUrl: string): Page {
  return layout(
    "Unsubscribed",
    html`<h1>You are unsubscribed</h1>
<p>${preferences.email ?? "This address"} will no longer receive marketing emails from ${preferences.shopName}.</p>
<p>Changed your mind? <a href="${preferencesUrl}">Manage your email preferences</a>.</p>`,
  );
}

/** The preference centre: the current choice and a button to change it. */
export function preferencesPage(
  preferences: EmailPreferences,
  action: string,
  notice?: string,
): Page {
  const subscribed = preferences.consentStatus !== "UNSUBSCRIBED";
  return layout(
    "Email preferences",
    html`<h1>Email preferences</h1>
<p>Emails from ${preferences.shopName} to ${preferences.email ?? "this address"}.</p>
${notice ? html`<p class="status" role="status">${notice}</p>` : ""}
<p>Marketing emails: <strong>${subscribed ? "subscribed" : "unsubscribed"}</strong></p>
<form method="post" action="${action}">
${
  subscribed
    ? html`<input type="hidden" name="action" value="unsubscribe"><button type="submit">Unsubscribe from all marketing</button>`
    : html`<input type="hidden" name="action" value="resubscribe"><button type="submit" class="secondary">Resubscribe</button>`
}
</form>`,
  );
}

export function invalidLinkPage(): Page {
  return layout(
    "Link not valid",
    html`<h1>This link is not valid</h1><p>Use the link in your most recent email from us.</p>`,
  );
}

export function testSendPage(): Page {
  return layout(
    "Test email",
    html`<h1>This was a test email</h1><p>Unsubscribe links in test emails change nothing.</p>`,
  );
}
