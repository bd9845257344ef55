import {
  addUtmParameters,
  type EmailSource,
  insertOpenPixel,
  renderEmail,
  rewriteLinks,
  type TemplateData,
  type TemplateEngine,
} from "@cartwheel/templates";
import type { EmailLinks } from "./email-links.ts";

export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface TrackingOptions {
  messageId: string;
  links: EmailLinks;
  /** `utm_campaign` for links to the shop, e.g. the template's library key or name. */
  campaign: string;
  /** Only links to this site get UTM parameters; every http(s) link when unset. */
  shopUrl?: string | null;
}

/**
 * Renders an email and makes it trackable: links to the shop get UTM parameters (values
 * already in a link win), every http(s) link goes through a signed click redirect (except the
 * footer's unsubscribe and preference links), and a signed open pixel is added.
 * Throws `TemplateRenderError` from the templates package.
 *
 * @example const email = await composeEmail(engine, template, data, { messageId, links, campaign: "abandoned-cart" })
 */
export async function composeEmail(
  engine: TemplateEngine,
  source: EmailSource,
  data: TemplateData,
  tracking: TrackingOptions,
): Promise<ComposedEmail> {
  const rendered = await renderEmail(engine, source, data);
  const shopHost = hostOf(tracking.shopUrl);
  const utm = {
    utm_source: typeof data.shop.utm_source === "string" ? data.shop.utm_source : "cartwheel",
    utm_medium: "email",
    utm_campaign: tracking.campaign,
  };
  // A product is often linked two or three times (image, name, button): track each URL once.
  const trackedUrls = new Map<string, string>();
  const tracked = rewriteLinks(rendered.html, (href) => {
    if (!/^https?:\/\//i.test(href)) return href;
    let trackedUrl = trackedUrls.get(href);
    if (trackedUrl === undefined) {
      const destination =
        !shopHost || hostOf(href) === shopHost ? addUtmParameters(href, utm) : href;
      trackedUrl = tracking.links.click(tracking.messageId, destination);
      trackedUrls.set(href, trackedUrl);
    }
    return trackedUrl;
  });
  const html = insertOpenPixel(tracked, tracking.links.openPixel(tracking.messageId));
  return { subject: rendered.subject, html, text: rendered.text };
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** A `utm_campaign` value from a template: its library key, else its name in kebab-case. */
export function campaignName(template: { libraryKey?: string | null; name: string }): string {
  if (template.libraryKey) return template.libraryKey;
  return (
    template.name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "email"
  );
}
