/**
 * POSTs `body` as JSON in a `text/plain` string (the default type of a string body), a CORS
 * "simple" request, so no preflight. With `keepalive` the request outlives the page. Resolves to
 * the response, or undefined when none came (network error, or the browser refused it).
 */
export function postJson(
  url: string,
  body: unknown,
  keepalive: boolean,
): Promise<Response | undefined> {
  return fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    keepalive,
    credentials: "omit",
  }).catch(() => undefined);
}

/** Hands `body` to `sendBeacon` (as `text/plain` JSON); for a keepalive request the browser refused. */
export function beacon(url: string, body: unknown): void {
  try {
    navigator.sendBeacon(url, JSON.stringify(body));
  } catch {}
}
