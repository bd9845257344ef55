import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BatchBody, WireEvent } from "../../src/wire";

const bundlePath = new URL("../../dist/cartwheel.iife.js", import.meta.url);

/** How the fake API answers the next batch. */
export type ApiReply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | "network-error";

/** One request the fake API received. */
export interface RecordedRequest {
  method: string;
  at: number;
  status: number | "network-error";
  body?: BatchBody;
  contentType?: string;
  /** Set for `/v1/subscribe` (a signup), with its body. */
  path?: string;
  subscribe?: Record<string, unknown>;
}

/**
 * A shop origin serving test pages and a separate API origin recording `/v1/batch`, so that
 * requests are cross-origin as in production.
 */
export interface TestServer {
  shopUrl: string;
  apiUrl: string;
  requests: RecordedRequest[];
  /** Answers for the next batches, in order; after them every batch gets 200. */
  replies: ApiReply[];
  /** While true every batch fails with a network error. */
  down: boolean;
  /** Serves `html` at `path` on the shop origin. */
  setPage(path: string, html: string): void;
  /** Events of the batches answered with 200. */
  acceptedEvents(): WireEvent[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the shop and API servers on random loopback ports. */
export async function startTestServer(): Promise<TestServer> {
  const pages = new Map<string, string>();
  const state = {
    requests: [] as RecordedRequest[],
    replies: [] as ApiReply[],
    down: false,
  };

  const shop = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://shop").pathname;
    if (path === "/cartwheel.iife.js") {
      response.writeHead(200, { "Content-Type": "text/javascript" });
      response.end(readFileSync(bundlePath));
      return;
    }
    const html = pages.get(path) ?? pages.get("*");
    response.writeHead(html ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    response.end(html ?? "not found");
  });

  const api = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const cors = {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Expose-Headers": "Retry-After",
    };
    const text = await readBody(request);
    const recorded: RecordedRequest = {
      method: request.method ?? "",
      at: Date.now(),
      status: 200,
      contentType: request.headers["content-type"],
    };
    state.requests.push(recorded);
    if (request.method === "POST" && request.url === "/v1/subscribe") {
      recorded.path = "/v1/subscribe";
      recorded.subscribe = JSON.parse(text) as Record<string, unknown>;
      const email = String(recorded.subscribe.email ?? "");
      const status = email.includes("@") ? 200 : 400;
      recorded.status = status;
      response.writeHead(status, { ...cors, "Content-Type": "application/json" });
      response.end(
        JSON.stringify(
          status === 200 ? { outcome: "confirmation_sent" } : { error: { code: "invalid_input" } },
        ),
      );
      return;
    }
    if (request.method !== "POST" || request.url !== "/v1/batch") {
      recorded.status = 404;
      response.writeHead(404, cors).end();
      return;
    }
    recorded.body = JSON.parse(text) as BatchBody;
    const reply = state.down ? "network-error" : (state.replies.shift() ?? { status: 200 });
    if (reply === "network-error") {
      recorded.status = reply;
      request.socket.destroy();
      return;
    }
    recorded.status = reply.status;
    const count = recorded.body.batch.length;
    const body = reply.body ?? { accepted: count, duplicates: 0, rejected: [] };
    response.writeHead(reply.status, {
      ...cors,
      "Content-Type": "application/json",
      ...reply.headers,
    });
    response.end(JSON.stringify(body));
  });

  const [shopUrl, apiUrl] = await Promise.all([listen(shop), listen(api)]);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    shopUrl,
    apiUrl,
    get requests() {
      return state.requests;
    },
    get replies() {
      return state.replies;
    },
    set replies(replies) {
      state.replies = replies;
    },
    get down() {
      return state.down;
    },
    set down(down) {
      state.down = down;
    },
    setPage: (path, html) => pages.set(path, html),
    acceptedEvents: () =>
      state.requests.flatMap((request) =>
        request.status === 200 ? (request.body?.batch ?? []) : [],
      ),
    close: async () => {
      await Promise.all([close(shop), close(api)]);
    },
  };
}
