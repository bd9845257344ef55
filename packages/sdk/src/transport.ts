import { parseRetryAfter } from "./backoff";
import type { BatchBody, Rejection } from "./wire";

/** What the server's answer to a batch means for the events in it. */
export type DeliveryOutcome =
  | { kind: "accepted"; rejected: Rejection[] }
  | { kind: "malformed" }
  | { kind: "unauthorized"; status: number }
  | { kind: "tooLarge" }
  | { kind: "retry"; afterMs?: number };

/** Maps an HTTP status (and its body and `Retry-After`) to a delivery outcome. */
export function classifyResponse(
  status: number,
  body: unknown,
  retryAfter: string | null,
): DeliveryOutcome {
  if (status >= 200 && status < 300) {
    const rejected = (body as { rejected?: unknown } | null)?.rejected;
    return { kind: "accepted", rejected: Array.isArray(rejected) ? rejected : [] };
  }
  if (status === 400) return { kind: "malformed" };
  if (status === 401 || status === 403) return { kind: "unauthorized", status };
  if (status === 413) return { kind: "tooLarge" };
  return { kind: "retry", afterMs: status === 429 ? parseRetryAfter(retryAfter) : undefined };
}

/**
 * Posts one batch as `text/plain` JSON (a CORS "simple" request, so no preflight). With
 * `keepalive` the request outlives the page; if the browser refuses it, `sendBeacon` carries
 * it instead and the outcome stays unknown (`retry`), so the events are kept and sent again.
 */
export async function postBatch(
  url: string,
  body: BatchBody,
  keepalive: boolean,
): Promise<DeliveryOutcome> {
  const json = JSON.stringify(body);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: json,
      keepalive,
      credentials: "omit",
    });
  } catch {
    if (keepalive) beacon(url, json);
    return { kind: "retry" };
  }
  const payload: unknown = await response.json().catch(() => null);
  return classifyResponse(response.status, payload, response.headers.get("Retry-After"));
}

function beacon(url: string, json: string): void {
  try {
    navigator.sendBeacon(url, new Blob([json], { type: "text/plain;charset=UTF-8" }));
  } catch {}
}
