import { SDK_VERSION } from "./version";
import type { PageContext, WireEvent } from "./wire";

/** The current page, with `referrer` as given (the previous page after SPA navigation). */
export function currentPage(referrer: string): PageContext {
  return { url: location.href, path: location.pathname, referrer, title: document.title };
}

/** The `context` object every event carries. */
export function eventContext(page: PageContext): WireEvent["context"] {
  let timezone = "";
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {}
  return {
    page,
    userAgent: navigator.userAgent,
    locale: navigator.language,
    timezone,
    library: { name: "cartwheel-sdk", version: SDK_VERSION },
  };
}
