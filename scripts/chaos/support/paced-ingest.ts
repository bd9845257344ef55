import type { IngestRequest } from "./shopper-traffic.ts";

/** What one request of the load got: when it was due and sent, how long it took, its answer. */
export interface IngestOutcome {
  /** ms since the load started, when the request was sent. */
  at: number;
  ms: number;
  /** 0 when no answer came (a connection error or the timeout). */
  status: number;
  events: number;
  accepted: number;
  rejected: number;
  request: IngestRequest;
}

export interface PacedIngestOptions {
  apiUrl: string;
  publicKey: string;
  secretKey: string;
  origin: string;
  eventsPerSecond: number;
  durationSeconds: number;
  /** Requests allowed in flight at once; past it the driver waits (and falls behind). */
  maxInFlight?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `traffic` to `POST /v1/batch` at a steady `eventsPerSecond`, open loop: each request
 * goes out when the schedule says, whether or not earlier ones have answered, so a slow API
 * shows as latency rather than as a lower rate (no coordinated omission). Browser requests
 * carry the public key and the shop's Origin; backend requests the secret key as a bearer.
 * Resolves once the last request has answered, with every outcome.
 */
export async function sendPacedIngest(
  traffic: Iterator<IngestRequest>,
  options: PacedIngestOptions,
  onOutcome: (outcome: IngestOutcome) => void = () => {},
): Promise<{ outcomes: IngestOutcome[]; behindMs: number }> {
  const maxInFlight = options.maxInFlight ?? 256;
  const outcomes: IngestOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const endAt = options.durationSeconds * 1000;
  let eventsDue = 0;
  let behindMs = 0;
  const send = async (request: IngestRequest, at: number) => {
    const browser = request.from === "browser";
    const headers: Record<string, string> = browser
      ? { "content-type": "text/plain;charset=UTF-8", origin: options.origin }
      : { "content-type": "application/json", authorization: `Bearer ${options.secretKey}` };
    const body = JSON.stringify({
      ...(browser && { writeKey: options.publicKey }),
      sentAt: new Date().toISOString(),
      batch: request.batch,
    });
    const sent = performance.now();
    let status = 0;
    let accepted = 0;
    let rejected = 0;
    try {
      const response = await fetch(`${options.apiUrl}/v1/batch`, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      const answer = (await response.json()) as { accepted?: number; rejected?: unknown[] };
      accepted = answer.accepted ?? 0;
      rejected = answer.rejected?.length ?? 0;
    } catch {
      // No answer: status stays 0.
    }
    const outcome: IngestOutcome = {
      at,
      ms: performance.now() - sent,
      status,
      events: request.batch.length,
      accepted,
      rejected,
      request,
    };
    outcomes.push(outcome);
    onOutcome(outcome);
  };
  while (true) {
    const dueAt = (eventsDue / options.eventsPerSecond) * 1000;
    if (dueAt >= endAt) break;
    const wait = dueAt - (performance.now() - started);
    if (wait > 0) await pause(wait);
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const now = performance.now() - started;
    behindMs = Math.max(behindMs, now - dueAt);
    const request = traffic.next().value as IngestRequest;
    eventsDue += request.batch.length;
    const pending: Promise<void> = send(request, now).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
  return { outcomes, behindMs };
}
