import { html } from "hono/html";
import type { ConfirmationRequest } from "../domain/messages/subscriptions/confirm-subscription.ts";
import { layout, type Page } from "./unsubscribe-pages.ts";

/** The GET page of a confirmation link: nothing changes until the button is pressed. */
export function confirmSubscriptionPage(request: ConfirmationRequest, action: string): Page {
  return layout(
    "Confirm your subscription",
    html`<h1>Subscribe to ${request.shopName}?</h1>
<p>${request.email} will receive news and offers from ${request.shopName}. You can unsubscribe from any email.</p>
<form method="post" action="${action}"><button type="submit">Yes, subscribe me</button></form>`,
  );
}

export function subscribedPage(request: ConfirmationRequest): Page {
  return layout(
    "Subscribed",
    html`<h1>You're subscribed</h1>
<p class="status">${request.email} will hear from ${request.shopName}. Thank you!</p>`,
  );
}

export function expiredConfirmationPage(): Page {
  return layout(
    "Link expired",
    html`<h1>This link has expired</h1>
<p class="status">Sign up again on the shop's site and we'll send a fresh one.</p>`,
  );
}
