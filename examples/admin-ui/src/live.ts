/**
 * GraphQL subscriptions over SSE, as Cartwheel serves them (graphql-yoga): a POST to the same
 * `/graphql` with `Accept: text/event-stream` and the key in the `Authorization` header, which
 * `EventSource` cannot send, so the stream is read with `fetch` and parsed here. Each `next`
 * event carries one `{ data, errors }` payload; `complete` ends the stream.
 */
import { graphqlEndpoint } from "./api.ts";
import { h, show } from "./dom.ts";
import type { Credentials } from "./session.ts";

/** What the page shows about the stream: "live" once a payload arrived, "reconnecting" while it waits to retry. */
export type LiveState = "connecting" | "live" | "reconnecting" | "failed";

export interface LiveOptions<TData> {
  /** Aborting it closes the stream and stops reconnecting (the router aborts it on leaving the screen). */
  signal: AbortSignal;
  onData: (data: TData) => void;
  onState?: (state: LiveState, detail?: string) => void;
  /** First wait before reconnecting, doubled per failed attempt up to 30 s. Default 1,000 ms. */
  retryMs?: number;
  /**
   * For a stream that only speaks on change (`contactEvents` without missed events): "live" as
   * soon as the API accepts the stream, not at its first payload. A refusal in the first
   * payload still turns it to "failed". Default false.
   */
  liveOnOpen?: boolean;
}

interface Payload<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Splits an SSE byte stream into events; a comment line (`:`, yoga's keep-alive) is skipped. */
export function parseEvents(buffer: string): {
  events: { event: string; data: string }[];
  rest: string;
} {
  const events: { event: string; data: string }[] = [];
  const frames = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = frames.pop() ?? "";
  for (const frame of frames) {
    let event = "message";
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0 || event !== "message") events.push({ event, data: data.join("\n") });
  }
  return { events, rest };
}

/**
 * Keeps a subscription open: every payload's `data` goes to `onData`; a dropped stream (network
 * error, the API restarting, the server ending it) is reopened after a back-off, and the
 * subscription's first payload brings the page up to date again. A GraphQL error in a payload
 * (`FORBIDDEN`, `NOT_FOUND`) will not get better by retrying: it is reported as "failed" and
 * the stream is not reopened.
 *
 * @example subscribeLive(credentials, "subscription { todayKpis { total { orders } } }", {}, { signal, onData })
 */
export function subscribeLive<TData>(
  credentials: Credentials,
  query: string,
  variables: Record<string, unknown>,
  options: LiveOptions<TData>,
): void {
  const { signal, onData } = options;
  const onState = options.onState ?? (() => {});
  const firstRetry = options.retryMs ?? 1_000;
  let retry = firstRetry;

  async function once(): Promise<"retry" | "stop"> {
    const response = await fetch(graphqlEndpoint(credentials.apiUrl), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${credentials.secretKey}`,
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
    if (!response.ok || !response.body) {
      if (response.status === 401 || response.status === 403) {
        onState("failed", `The API refused the stream (HTTP ${response.status}).`);
        return "stop";
      }
      return "retry";
    }
    if (options.liveOnOpen) onState("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return "retry";
      const parsed = parseEvents(buffer + chunk.value);
      buffer = parsed.rest;
      for (const { event, data } of parsed.events) {
        if (event === "complete") return "retry";
        if (event !== "next" || !data) continue;
        const payload = JSON.parse(data) as Payload<TData>;
        if (payload.errors?.length) {
          onState("failed", payload.errors.map((error) => error.message).join("; "));
          void reader.cancel().catch(() => undefined);
          return "stop";
        }
        if (payload.data) {
          retry = firstRetry;
          onState("live");
          onData(payload.data);
        }
      }
    }
  }

  async function run() {
    onState("connecting");
    while (!signal.aborted) {
      let outcome: "retry" | "stop";
      try {
        outcome = await once();
      } catch {
        outcome = "retry";
      }
      if (outcome === "stop" || signal.aborted) return;
      onState("reconnecting");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retry);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      retry = Math.min(retry * 2, 30_000);
    }
  }

  void run();
}

const liveLabels: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  failed: "Not live",
};

/** A small badge saying whether the figures on screen are streaming; pass `set` as `onState`. */
export function liveBadge(liveText = "Live", testid = "live-state") {
  const badge = h("span", { class: "live-badge", testid });
  const set = (state: LiveState, detail?: string) => {
    badge.dataset.state = state;
    badge.title = detail ?? (state === "live" ? "Figures update as they change" : "");
    show(badge, h("span", { class: "live-dot" }), state === "live" ? liveText : liveLabels[state]);
  };
  set("connecting");
  return { badge, set };
}
