import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { callWebhook } from "../src/domain/scenarios/runs/webhook.ts";
import { createScenario } from "../src/domain/scenarios/scenarios.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { liveScenario, runsOf, track } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { makeClock, runDueWork } from "./support/scenarios.ts";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}
let server: Server;
let base: string;
const received: Received[] = [];
let answer: "ok" | "error" | "hang" = "ok";

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      if (answer === "hang") return;
      response.writeHead(answer === "ok" ? 204 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The shop's public hostname, served here by the local server (no private address is seen). */
const options = {
  lookup: async () => [{ address: "93.184.216.34" }],
  fetch: ((url: string, init: RequestInit) =>
    fetch(url.replace("https://hooks.shop.example", base), init)) as typeof fetch,
  timeoutMs: 300,
};

async function flowWithWebhook(failed?: string) {
  const { workspace } = await createEmailWorkspace();
  const scenario = await liveScenario(workspace.id, {
    trigger: { kind: "event", event: "Lead Qualified" },
    start: "notify",
    nodes: [
      {
        id: "notify",
        kind: "webhook",
        url: "https://hooks.shop.example/sales",
        body: { team: "sales" },
        ...(failed && { failed }),
      },
      ...(failed ? [{ id: failed, kind: "exit", reason: "sales not told" }] : []),
    ],
  });
  const ada = await createMailContact(workspace.id);
  const clock = makeClock();
  await track(workspace.id, ada.email!, clock.now(), {
    name: "Lead Qualified",
    properties: { score: 80 },
  });
  await runDueWork(clock.now());
  const [run] = await runsOf(scenario.id);
  return { workspace, scenario, run: run!, clock };
}

describe("webhook steps", () => {
  it("refuses URLs that are not https or point at a private address", async () => {
    const { workspace } = await createEmailWorkspace();
    for (const [url, words] of [
      ["http://hooks.shop.example/x", "must be an https URL"],
      ["https://127.0.0.1/x", "private address"],
      ["https://[::1]/x", "private address"],
      ["https://localhost/x", "private address"],
    ] as const) {
      const error = await createScenario(workspace.id, {
        name: "x",
        definition: {
          version: 1,
          trigger: { kind: "api" },
          start: "w",
          nodes: [{ id: "w", kind: "webhook", url }],
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).problems[0]).toEqual({
        path: ["definition", "nodes", "w", "url"],
        message: expect.stringContaining(words),
      });
    }
  });

  it("posts a signed body with the step's idempotency key, and moves the run on", async () => {
    answer = "ok";
    received.length = 0;
    const { workspace, run, clock } = await flowWithWebhook();
    expect(run.status).toBe("WAITING");
    expect(await callWebhook(run.id, 0, 1, options)).toEqual({ done: true, status: 204 });
    await runDueWork(clock.now());
    const [request] = received;
    const { webhookSecret } = await db().workspace.findUniqueOrThrow({
      where: { id: workspace.id },
    });
    const [, t, v1] =
      /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(request!.headers["x-cartwheel-signature"])) ?? [];
    expect(createHmac("sha256", webhookSecret).update(`${t}.${request!.body}`).digest("hex")).toBe(
      v1,
    );
    expect(request!.headers["idempotency-key"]).toBe(`${run.id}:0`);
    expect(JSON.parse(request!.body)).toMatchObject({
      run_id: run.id,
      team: "sales",
      trigger: { properties: { score: 80 } },
    });
    const [done] = await runsOf(run.scenarioId);
    expect(done).toMatchObject({ status: "COMPLETED" });
    expect(done!.history[0]).toMatchObject({
      output: "next",
      detail: { status: 204, attempts: 1 },
    });
  });

  it("retries a 500 or a timeout, then takes the failed output, or fails the run visibly", async () => {
    answer = "error";
    const withFallback = await flowWithWebhook("give-up");
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await callWebhook(withFallback.run.id, 0, attempt, options)).toMatchObject({
        done: false,
        retry: true,
        error: "HTTP 500",
      });
      expect((await runsOf(withFallback.scenario.id))[0]!.status).toBe("WAITING");
    }
    await callWebhook(withFallback.run.id, 0, 5, options);
    await runDueWork(withFallback.clock.now());
    expect((await runsOf(withFallback.scenario.id))[0]).toMatchObject({
      status: "EXITED",
      reason: "sales not told",
    });

    answer = "hang";
    const bare = await flowWithWebhook();
    const timedOut = await callWebhook(bare.run.id, 0, 5, options);
    expect(timedOut).toMatchObject({
      done: false,
      retry: true,
      error: expect.stringContaining("Timeout"),
    });
    const [failed] = await runsOf(bare.scenario.id);
    expect(failed).toMatchObject({
      status: "FAILED",
      reason: expect.stringContaining("webhook failed after 5 attempts"),
    });
    expect(failed!.history[0]!.detail).toMatchObject({ attempts: 5 });
  });

  it("refuses a host that resolves to a private address, without retrying", async () => {
    answer = "ok";
    const { run, scenario } = await flowWithWebhook();
    const outcome = await callWebhook(run.id, 0, 1, {
      ...options,
      lookup: async () => [{ address: "10.0.0.7" }],
    });
    expect(outcome).toMatchObject({
      done: false,
      retry: false,
      error: expect.stringContaining("private address"),
    });
    expect((await runsOf(scenario.id))[0]).toMatchObject({ status: "FAILED" });
  });
});
