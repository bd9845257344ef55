import { randomUUID } from "node:crypto";
import { decodeGlobalID } from "@pothos/plugin-relay";
import type { CartwheelApp } from "../../src/app.ts";
import { createTestWorkspace } from "./factories.ts";
import type { TestApi } from "./graphql.ts";

export const shopOrigin = "https://shop.example";

/**
 * A test workspace whose storefront origin is allowed, with its row id (`id`) beside the
 * global id (`workspaceId`) that GraphQL uses.
 */
export async function createTestShop(api: TestApi, allowedOrigins = [shopOrigin]) {
  const workspace = await createTestWorkspace(api, { allowedOrigins });
  return { ...workspace, id: decodeGlobalID(workspace.workspaceId).id };
}

let sequence = 0;

/** One event in the SDK's wire shape; `overrides` replace any field. */
export function wireEvent(overrides: Record<string, unknown> = {}): Record<string, any> {
  sequence += 1;
  return {
    messageId: `msg-${sequence}-${randomUUID()}`,
    type: "track",
    event: "Product Viewed",
    properties: { sku: `sku-${sequence}` },
    anonymousId: "anon-1",
    timestamp: new Date(Date.now() - 60_000 + sequence).toISOString(),
    context: {
      page: { url: `${shopOrigin}/`, path: "/", referrer: "", title: "Shop" },
      userAgent: "test",
      locale: "en-GB",
      timezone: "Europe/London",
      library: { name: "cartwheel-sdk", version: "0.1.0" },
    },
    ...overrides,
  };
}

export interface BatchResponse {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * POSTs `/v1/batch` through `app.request` the way the SDK does: `text/plain` JSON from
 * `origin`, the key in the body unless `bearer` is given.
 */
export async function postBatch(
  app: CartwheelApp,
  options: {
    batch?: unknown[];
    writeKey?: string;
    bearer?: string;
    origin?: string | null;
    body?: string;
    contentType?: string;
  },
): Promise<BatchResponse> {
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "text/plain;charset=UTF-8",
  };
  if (options.origin !== null) headers.origin = options.origin ?? shopOrigin;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const response = await app.request("http://cartwheel.test/v1/batch", {
    method: "POST",
    headers,
    body:
      options.body ??
      JSON.stringify({
        ...(options.writeKey !== undefined && { writeKey: options.writeKey }),
        sentAt: new Date().toISOString(),
        batch: options.batch ?? [],
      }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

/**
 * Queued `process_event` jobs with the event id of their payload, as a subquery
 * (graphile-worker's public `jobs` view leaves the payload out).
 */
export const processEventJobs = `(
  SELECT j.id, entry->>'eventId' AS event_id
    FROM graphile_worker._private_jobs j
    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
   CROSS JOIN LATERAL json_array_elements(
           CASE WHEN t.identifier = 'process_events' THEN j.payload
                ELSE json_build_array(j.payload) END) AS entry
   WHERE t.identifier IN ('process_event', 'process_events'))`;
