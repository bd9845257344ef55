import { createHmac } from "node:crypto";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { withTransaction } from "../../../db.ts";
import type { Prisma } from "../../../generated/prisma/client.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { nodesById } from "../definition/graph.ts";
import { loadVersionDefinition } from "../scenarios.ts";
import { queueAdvance } from "./schedule.ts";

const privateNetworks = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const) {
  privateNetworks.addSubnet(net, prefix, "ipv4");
}
privateNetworks.addAddress("::", "ipv6");
privateNetworks.addAddress("::1", "ipv6");
privateNetworks.addSubnet("fc00::", 7, "ipv6");
privateNetworks.addSubnet("fe80::", 10, "ipv6");

/** Whether an IP address is loopback, private, link-local or otherwise not on the internet. */
export function isPrivateAddress(address: string): boolean {
  const mapped = address.replace(/^::ffff:/i, "");
  const family = isIP(mapped);
  if (family === 0) return false;
  return privateNetworks.check(mapped, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Why a webhook URL is refused on save, or null: only https, and never a host that is an IP of
 * a private network or `localhost` (names that resolve to one are refused when called).
 */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "https:") return "must be an https URL";
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || isPrivateAddress(host)) {
    return "points at a private address";
  }
  return null;
}

export interface WebhookOptions {
  /** Give up on one attempt after this long. Default 10 s. */
  timeoutMs?: number;
  /** Attempts before the step fails. Default 5 (with the job's backoff between them). */
  maxAttempts?: number;
  /** For tests and development only: allow http and private addresses. */
  allowPrivateNetworks?: boolean;
  fetch?: typeof fetch;
  lookup?: (host: string) => Promise<{ address: string }[]>;
}

export type WebhookOutcome =
  | { done: true; status: number }
  | { done: false; retry: boolean; error: string };

/**
 * Makes one attempt at a run's webhook step (`seq`): POSTs the JSON body with
 * `X-Cartwheel-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>" with the workspace's webhook
 * secret>` and `Idempotency-Key: <run>:<step>` (the same on every attempt, so the receiver can
 * drop repeats). A 2xx moves the run on by `next`; anything else is retried by the job (after
 * `attempt` reaches `maxAttempts` the run takes `failed`, or fails visibly when the node has
 * none). The response code and error are kept in the step's detail. A run that has moved on
 * meanwhile is left alone.
 */
export async function callWebhook(
  runId: string,
  seq: number,
  attempt: number,
  options: WebhookOptions = {},
): Promise<WebhookOutcome> {
  const step = await withTransaction(async (tx) => {
    const run = await tx.scenarioRun.findFirst({
      where: { id: runId },
      include: { workspace: { select: { webhookSecret: true } } },
    });
    if (run?.status !== "WAITING" || run.steps !== seq + 1 || !run.nodeId) return null;
    const node = nodesById(await loadVersionDefinition(tx, run.workspaceId, run.versionId)).get(
      run.nodeId,
    );
    return node?.kind === "webhook" ? { run, node } : null;
  });
  if (!step) return { done: true, status: 0 };
  const { run, node } = step;
  const body = JSON.stringify({
    scenario_id: run.scenarioId,
    run_id: run.id,
    contact_id: run.contactId,
    node_id: node.id,
    trigger: run.trigger,
    ...(node.body ?? {}),
  });
  let outcome: WebhookOutcome;
  try {
    await checkDestination(node.url, options);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac("sha256", run.workspace.webhookSecret)
      .update(`${timestamp}.${body}`)
      .digest("hex");
    const response = await (options.fetch ?? fetch)(node.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Cartwheel-Webhook/1",
        "idempotency-key": `${run.id}:${seq}`,
        "x-cartwheel-signature": `t=${timestamp},v1=${signature}`,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await response.body?.cancel().catch(() => {});
    outcome =
      response.status >= 200 && response.status < 300
        ? { done: true, status: response.status }
        : { done: false, retry: true, error: `HTTP ${response.status}` };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    outcome = { done: false, retry: !(error instanceof RefusedDestination), error: message };
  }
  const last = !outcome.done && (!outcome.retry || attempt >= (options.maxAttempts ?? 5));
  if (outcome.done || last)
    await finishWebhookStep(runId, seq, attempt, outcome, node.failed ?? null);
  return outcome;
}

class RefusedDestination extends Error {
  override name = "RefusedDestination";
}

async function checkDestination(url: string, options: WebhookOptions) {
  if (options.allowPrivateNetworks) return;
  const problem = webhookUrlProblem(url);
  if (problem) throw new RefusedDestination(`${url} ${problem}`);
  const host = new URL(url).hostname;
  const addresses = await (options.lookup ?? ((name: string) => lookup(name, { all: true })))(host);
  if (addresses.some(({ address }) => isPrivateAddress(address))) {
    throw new RefusedDestination(`${host} resolves to a private address`);
  }
}

async function finishWebhookStep(
  runId: string,
  seq: number,
  attempt: number,
  outcome: WebhookOutcome,
  failedTarget: string | null,
) {
  await withTransaction(async (tx) => {
    const peek = await tx.scenarioRun.findFirst({
      where: { id: runId },
      select: { workspaceId: true, contactId: true },
    });
    if (!peek) return;
    await lockContact(tx, peek.workspaceId, peek.contactId);
    const key = { id_workspaceId: { workspaceId: peek.workspaceId, id: runId } };
    const run = await tx.scenarioRun.findUnique({
      where: key,
      include: { scenario: { select: { priority: true } } },
    });
    if (run?.status !== "WAITING" || run.steps !== seq + 1) return;
    const detail = (
      outcome.done
        ? { status: outcome.status, attempts: attempt }
        : { error: outcome.error, attempts: attempt }
    ) as Prisma.InputJsonObject;
    await tx.scenarioStep.updateMany({
      where: { workspaceId: peek.workspaceId, runId, seq },
      data: { detail },
    });
    if (outcome.done || failedTarget !== null) {
      await tx.scenarioRun.update({
        where: key,
        data: { status: "ACTIVE", resumeOutput: outcome.done ? "next" : "failed", wakeAt: null },
      });
      await queueAdvance(tx, { id: runId, priority: run.scenario.priority });
      return;
    }
    const reason = `webhook failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${outcome.error}`;
    await tx.scenarioStep.updateMany({
      where: { workspaceId: peek.workspaceId, runId, seq, leftAt: null },
      data: { leftAt: new Date(), reason },
    });
    await tx.scenarioRun.update({
      where: key,
      data: { status: "FAILED", reason, endedAt: new Date(), wakeAt: null },
    });
  });
}
