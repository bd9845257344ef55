/** The page an event was recorded on. */
export interface PageContext {
  url: string;
  path: string;
  referrer: string;
  title: string;
}

/** One event as sent in the `batch` array of `POST /v1/batch`. */
export interface WireEvent {
  messageId: string;
  type: "page" | "track" | "identify";
  event: string;
  properties: Record<string, unknown>;
  anonymousId: string;
  userId?: string;
  traits?: Record<string, unknown>;
  /** HMAC-SHA256 of `userId` by the shop's backend: proves the identity (identify only). */
  userHash?: string;
  timestamp: string;
  context: {
    page: PageContext;
    userAgent: string;
    locale: string;
    timezone: string;
    library: { name: "cartwheel-sdk"; version: string };
  };
}

/** The body of `POST /v1/batch`, sent as `text/plain` JSON. */
export interface BatchBody {
  writeKey: string;
  sentAt: string;
  batch: WireEvent[];
}

/** The body of a 2xx answer to `POST /v1/batch`. */
export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/** One event the server refused as invalid; it is never retried. */
export interface Rejection {
  index: number;
  messageId: string;
  code: string;
  message: string;
}
