import { createHmac, timingSafeEqual } from "node:crypto";

/** What a signed link may do; a signature made for one purpose is worthless for another. */
export type LinkPurpose = "open" | "click" | "manage" | "confirm";

/** 128 bits of HMAC-SHA256, base64url: short enough for links, far beyond guessing. */
export function signLink(
  secret: string,
  purpose: LinkPurpose,
  messageId: string,
  target = "",
): string {
  return createHmac("sha256", secret)
    .update(`${purpose}\n${messageId}\n${target}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/** Checks a link signature in constant time. `target` is the click's destination URL. */
export function verifyLinkSignature(
  secret: string,
  purpose: LinkPurpose,
  messageId: string,
  signature: string,
  target = "",
): boolean {
  const expected = Buffer.from(signLink(secret, purpose, messageId, target));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface EmailLinks {
  openPixel(messageId: string): string;
  click(messageId: string, destination: string): string;
  unsubscribe(messageId: string): string;
  preferences(messageId: string): string;
  /** A double opt-in confirmation's link (only the confirmation message's works). */
  confirmSubscription(messageId: string): string;
  /** `mailto:` for List-Unsubscribe, or null when no unsubscribe mailbox is configured. */
  unsubscribeMailto(messageId: string): string | null;
}

/**
 * Builds the signed tracking and unsubscribe links of a message, served by the api's
 * `/email/*` routes under `publicUrl`.
 *
 * @example makeEmailLinks({ publicUrl: "https://t.shop.test", secret }).click(id, "https://shop.test/cart")
 * // "https://t.shop.test/email/click/<id>/<signature>?url=https%3A%2F%2Fshop.test%2Fcart"
 */
export function makeEmailLinks(options: {
  publicUrl: string;
  secret: string;
  unsubscribeMailbox?: string | null;
}): EmailLinks {
  const base = `${options.publicUrl.replace(/\/$/, "")}/email`;
  const manage = (id: string) => `${id}/${signLink(options.secret, "manage", id)}`;
  return {
    openPixel: (id) => `${base}/open/${id}/${signLink(options.secret, "open", id)}.gif`,
    click: (id, destination) =>
      `${base}/click/${id}/${signLink(options.secret, "click", id, destination)}?url=${encodeURIComponent(destination)}`,
    unsubscribe: (id) => `${base}/unsubscribe/${manage(id)}`,
    preferences: (id) => `${base}/preferences/${manage(id)}`,
    confirmSubscription: (id) => `${base}/confirm/${id}/${signLink(options.secret, "confirm", id)}`,
    unsubscribeMailto: (id) =>
      options.unsubscribeMailbox
        ? `mailto:${options.unsubscribeMailbox}?subject=${encodeURIComponent(`unsubscribe ${id}.${signLink(options.secret, "manage", id)}`)}`
        : null,
  };
}
