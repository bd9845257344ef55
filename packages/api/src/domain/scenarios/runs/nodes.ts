import { createHash } from "node:crypto";
import { loadEventProductTemplateData } from "../../catalog/product-template-data.ts";
import { compileSegmentQuery } from "../../conditions/compile.ts";
import { tagContacts, untagContacts } from "../../contacts/tag-contacts.ts";
import { updateContact } from "../../contacts/upsert-contact.ts";
import { missingTemplateData } from "../../email-templates/required-data.ts";
import { addJob } from "../../jobs/add-job.ts";
import { unsubscribeContact, unsubscribeSources } from "../../messages/engagement/unsubscribe.ts";
import { decideDelivery } from "../../messages/policy/delivery-policy.ts";
import {
  checkSendingLimits,
  type SendingLimits,
  sendingLimitsOf,
} from "../../messages/policy/sending-limits.ts";
import { assertSendable } from "../../messages/queue/queue-email.ts";
import { loadCartTemplateData } from "../../orders/cart-template-data.ts";
import { orderFromEvent } from "../../orders/order-from-event.ts";
import { loadOrderTemplateData } from "../../orders/order-template-data.ts";
import { writeScoreChange } from "../../scores/score-changes.ts";
import { refreshSegmentsForContacts } from "../../segments/incremental.ts";
import { segmentFiltersFor } from "../../segments/segments.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { eventId } from "../../shared/event-values.ts";
import { ensureTags } from "../../tags/tags.ts";
import { contactDateOf } from "../contact-date.ts";
import { durationMs, type ScenarioNode } from "../definition/definition.ts";
import { isTagTemplate, renderTagTemplate } from "../definition/tag-template.ts";
import { delayWakeAt } from "./local-time.ts";
import { runRecommendations } from "./run-recommendations.ts";
import type { NodeOutcome, RunTrigger, StepContext } from "./run-types.ts";
import { startRunOf } from "./start-run.ts";

type NodeOf<K extends ScenarioNode["kind"]> = Extract<ScenarioNode, { kind: K }>;

/** Carries out one node for a run; every effect goes through `context.tx`. */
export function executeNode(node: ScenarioNode, context: StepContext): Promise<NodeOutcome> {
  switch (node.kind) {
    case "delay":
      return delay(node, context);
    case "wait_for_event":
      return Promise.resolve({
        wait: {
          until: new Date(context.now.getTime() + durationMs(node.timeout)),
          event: node.event,
          resumeOutput: "timedOut",
        },
      });
    case "condition":
      return condition(node, context);
    case "split":
      return split(node, context);
    case "send_email":
      return sendEmail(node, context);
    case "add_tag":
    case "remove_tag":
      return tag(node, context);
    case "adjust_score":
      return adjustScore(node, context);
    case "set_property":
      return setProperty(node, context);
    case "unsubscribe":
      return unsubscribe(context);
    case "start_scenario":
      return startScenario(node, context);
    case "webhook":
      return webhook(node, context);
    case "exit":
      return Promise.resolve({ end: "EXITED", reason: node.reason ?? `exit node "${node.id}"` });
  }
}

async function delay(
  node: NodeOf<"delay">,
  { now, zone, contact }: StepContext,
): Promise<NodeOutcome> {
  const wakeAt = delayWakeAt(node, now, zone, (until) => contactDateOf(contact, until));
  if (wakeAt === null) return { output: "next", reason: "the date to wait for is missing" };
  if (wakeAt <= now) return { output: "next", reason: "already due" };
  return { wait: { until: wakeAt, resumeOutput: "next" }, detail: { until: wakeAt.toISOString() } };
}

async function condition(node: NodeOf<"condition">, context: StepContext): Promise<NodeOutcome> {
  const { tx, scenario, contact, now, state } = context;
  const detail: Record<string, unknown> = {};
  let holds = true;
  if (node.filter) {
    const query = compileSegmentQuery(node.filter, {
      workspaceId: scenario.workspaceId,
      now,
      segments: await segmentFiltersFor(tx, scenario.workspaceId, node.filter),
      currency: context.currency,
      contactIds: [contact.id],
    });
    const rows = await tx.$queryRawUnsafe<unknown[]>(query.text, ...query.values);
    detail.filter = rows.length > 0;
    holds &&= rows.length > 0;
  }
  if (node.fact) {
    let fact: boolean;
    if (node.fact.kind === "cart_has_items") {
      const cart = await loadCartTemplateData(
        tx,
        scenario.workspaceId,
        contact.id,
        context.run.entityKey,
        context.currency,
      );
      fact = cart.items.length > 0 && cart.status !== "CONVERTED";
    } else {
      const messageId = state.messages?.[node.fact.node];
      const message = messageId
        ? await tx.message.findUnique({
            where: { id_workspaceId: { workspaceId: context.run.workspaceId, id: messageId } },
            select: { openedAt: true, clickedAt: true },
          })
        : null;
      fact =
        node.fact.kind === "email_opened"
          ? Boolean(message?.openedAt)
          : Boolean(message?.clickedAt);
    }
    detail.fact = fact;
    holds &&= fact;
  }
  return { output: holds ? "yes" : "no", detail };
}

/**
 * A stable draw per run and node (the same run always lands in the same branch), by weight. A
 * run drawn into the split's holdout branch takes it whatever won, and sends no marketing mail
 * from then on; any other draw goes to the winner when the experiment decided one and applies
 * it (or one was chosen by hand), so the winner takes the other branches' share.
 */
async function split(node: NodeOf<"split">, context: StepContext): Promise<NodeOutcome> {
  const drawn = drawBranch(node, context.run.id);
  context.state.splits = { ...context.state.splits, [node.id]: drawn.name };
  if (drawn.holdout) {
    context.state.heldOutBy = node.id;
    return {
      output: drawn.name,
      reason: "the holdout branch: no marketing mail from here on",
      detail: { branch: drawn.name, holdout: true },
    };
  }
  const winner = await context.batch.splitWinner(context.scenario.id, node.id);
  if (winner?.applied && node.branches.some((b) => b.name === winner.branch && !b.holdout)) {
    context.state.splits = { ...context.state.splits, [node.id]: winner.branch };
    return {
      output: winner.branch,
      reason: `the winner (${winner.decidedBy === "manual" ? "chosen by hand" : "decided by the experiment"})`,
      detail: { branch: winner.branch, winner: true },
    };
  }
  return { output: drawn.name, detail: { branch: drawn.name } };
}

function drawBranch(node: NodeOf<"split">, runId: string): NodeOf<"split">["branches"][number] {
  const total = node.branches.reduce((sum, branch) => sum + branch.weight, 0);
  const draw =
    createHash("sha256").update(`${runId}:${node.id}`).digest().readUInt32BE(0) / 2 ** 32;
  let point = draw * total;
  for (const candidate of node.branches) {
    point -= candidate.weight;
    if (point < 0) return candidate;
  }
  return node.branches.at(-1) as NodeOf<"split">["branches"][number];
}

async function sendEmail(node: NodeOf<"send_email">, context: StepContext): Promise<NodeOutcome> {
  const { contact, run, batch } = context;
  const template = await batch.template(node.templateId);
  if (!template || template.archivedAt) {
    return { end: "FAILED", reason: `the template of "${node.id}" was deleted or archived` };
  }
  const heldOut = run.holdout ?? (context.state.heldOutBy ? "split" : null);
  if (heldOut && template.kind === "MARKETING") {
    const group =
      heldOut === "control_group"
        ? "the workspace's control group"
        : heldOut === "split"
          ? `the holdout branch of split "${context.state.heldOutBy}"`
          : "the scenario's holdout";
    return { output: "next", reason: `held out: ${group}`, detail: { heldOut } };
  }
  if (!contact.email)
    return { output: "next", reason: "skipped: the contact has no email address" };
  if (template.kind === "MARKETING") {
    const { settings } = context;
    const suppressions = await batch.suppressions(contact.email);
    const decision = decideDelivery({
      kind: "MARKETING",
      consentRequired: settings.consentRequired,
      consentStatus: contact.consentStatus,
      hardBounced: suppressions.includes("HARD_BOUNCE"),
      complained: suppressions.includes("COMPLAINT"),
    });
    if (!decision.send) return { output: "next", reason: `skipped: ${decision.reason}` };
    const limited = await limitedSend(node, context, sendingLimitsOf(settings));
    if (limited) return limited;
  }
  const data = { ...(await runTemplateData(context)), ...node.data };
  if (node.recommendations?.length) {
    data.recommendations = await runRecommendations(node.recommendations, context);
  }
  const missing = missingTemplateData(template.requiredData, data);
  if (missing.length > 0) {
    return {
      end: "FAILED",
      reason: `"${node.id}": the template needs ${missing.join(", ")}, which this run does not have`,
    };
  }
  try {
    assertSendable(template, context.settings);
  } catch (error) {
    if (error instanceof InvalidInputError)
      return { end: "FAILED", reason: `"${node.id}": ${error.message}` };
    throw error;
  }
  // Written with the batch's other messages, one statement for all of them, at its flush.
  const messageId = batch.queueMessage({
    contact: { id: contact.id, email: contact.email },
    template,
    idempotencyKey: `scenario:${run.id}:${context.seq}`,
    data,
    origin: { scenarioRunId: run.id, scenarioNodeId: node.id, queuedAt: context.now },
  });
  context.state.messages = { ...context.state.messages, [node.id]: messageId };
  return { output: "next", messageId };
}

/** Lets a higher-priority run of the same contact send first when both are due now. */
const yieldMs = 60_000;

/**
 * Quiet hours and frequency caps for one marketing send: null when it may go now; otherwise
 * the run waits for the first allowed moment (and tries again) or skips the send, as the node
 * says. When a run of a higher-priority scenario is also due to act for the contact, this one
 * waits a minute so that one takes the slot.
 */
async function limitedSend(
  node: NodeOf<"send_email">,
  context: StepContext,
  limits: SendingLimits,
): Promise<NodeOutcome | null> {
  const { tx, now, contact, scenario, run, batch } = context;
  const top = await batch.topLivePriority();
  const rivalPossible = top !== null && top > scenario.priority;
  if (!rivalPossible && limits.frequencyCaps.length === 0 && !limits.quietHours) return null;
  // The caps count the mail queued so far, and a rival's position may be held back: write both.
  await batch.flush();
  const [rival] = rivalPossible
    ? await tx.$queryRaw<{ id: string }[]>`
    SELECT r.id::text FROM scenario_runs r JOIN scenarios s ON s.id = r.scenario_id
     WHERE r.contact_id = ${contact.id}::uuid AND r.id <> ${run.id}::uuid AND s.priority > ${scenario.priority}
       AND s.status = 'LIVE'
       AND (r.status = 'ACTIVE' OR (r.status = 'WAITING' AND r.resume_output IS NULL AND r.wake_at <= ${now}::timestamptz))
     LIMIT 1`
    : [];
  const decision = rival
    ? {
        allowed: false as const,
        reason: "PRIORITY" as const,
        retryAt: new Date(now.getTime() + yieldMs),
      }
    : await checkSendingLimits(tx, {
        workspaceId: scenario.workspaceId,
        contactId: contact.id,
        zone: context.zone,
        now,
        limits,
      });
  if (decision.allowed) return null;
  const why = {
    QUIET_HOURS: "quiet hours",
    FREQUENCY_CAP: "frequency cap",
    PRIORITY: "a higher-priority scenario sends first",
  }[decision.reason];
  if (node.whenLimited === "skip" && decision.reason !== "PRIORITY") {
    return { output: "next", reason: `skipped: ${why}` };
  }
  return {
    wait: { until: decision.retryAt, resumeOutput: null },
    reason: `deferred: ${why} until ${decision.retryAt.toISOString()}`,
  };
}

/**
 * The variables a scenario's email gets besides the contact and shop: the trigger (as
 * `trigger` and `event`), the products it names (`products`: the viewed or added product, an
 * order's lines, with current catalog prices), and the run's cart or order when its entity key
 * names one: the cart's rows with current catalog prices, the order's row (else the trigger's
 * own copy).
 */
async function runTemplateData(context: StepContext): Promise<Record<string, unknown>> {
  const trigger = context.run.trigger as unknown as RunTrigger;
  const event = {
    name: trigger.name,
    occurred_at: trigger.occurredAt,
    properties: trigger.properties,
  };
  const data: Record<string, unknown> = { trigger: event, event };
  const products = await loadEventProductTemplateData(
    context.tx,
    context.scenario.workspaceId,
    trigger.name,
    trigger.properties,
    context.currency,
  );
  if (products.length > 0) data.products = products;
  const key = context.definition.entityKey;
  if (key === "cart_id" && context.run.entityKey) {
    data.cart = await loadCartTemplateData(
      context.tx,
      context.scenario.workspaceId,
      context.contact.id,
      context.run.entityKey,
      context.currency,
    );
  }
  if (key === "order_id" || trigger.name === "Order Completed") {
    const orderId =
      (key === "order_id" && context.run.entityKey) || eventId(trigger.properties.order_id);
    const order =
      (orderId &&
        (await loadOrderTemplateData(context.tx, context.scenario.workspaceId, orderId))) ||
      orderFromEvent(trigger.properties, context.currency, trigger.occurredAt);
    if (order) data.order = order;
  }
  return data;
}

/**
 * Adds or removes the node's tag. A templated tag (`interest:{{ event.category }}`) is named
 * from the run's trigger: skipped when the trigger lacks the property or the name is too long;
 * added, it is made first when the workspace lacks it.
 */
async function tag(
  node: NodeOf<"add_tag" | "remove_tag">,
  { tx, scenario, contact, run }: StepContext,
): Promise<NodeOutcome> {
  let name = node.tag;
  if (isTagTemplate(node.tag)) {
    const trigger = run.trigger as unknown as RunTrigger;
    const rendered = renderTagTemplate(node.tag, trigger.properties);
    if ("missing" in rendered) {
      return { output: "next", reason: `skipped: the trigger has no ${rendered.missing}` };
    }
    if (rendered.tag.length > 100) {
      return { output: "next", reason: "skipped: the tag would be longer than 100 characters" };
    }
    name = rendered.tag;
    if (node.kind === "add_tag") await ensureTags(tx, scenario.workspaceId, [name]);
    else if (!(await tx.tag.findFirst({ where: { workspaceId: scenario.workspaceId, name } }))) {
      return { output: "next", reason: "was not tagged", detail: { tag: name } };
    }
  }
  const input = { contactIds: [contact.id], tags: [name] };
  try {
    const changed =
      node.kind === "add_tag"
        ? await tagContacts(scenario.workspaceId, input, tx)
        : await untagContacts(scenario.workspaceId, input, tx);
    return {
      output: "next",
      ...(changed === 0 && {
        reason: node.kind === "add_tag" ? "already tagged" : "was not tagged",
      }),
      ...(name !== node.tag && { detail: { tag: name } }),
    };
  } catch (error) {
    if (error instanceof InvalidInputError)
      return { end: "FAILED", reason: `"${node.id}": ${error.message}` };
    throw error;
  }
}

async function adjustScore(
  node: NodeOf<"adjust_score">,
  context: StepContext,
): Promise<NodeOutcome> {
  const { tx, scenario, contact, now, run } = context;
  const score = await writeScoreChange(tx, {
    workspaceId: scenario.workspaceId,
    contactId: contact.id,
    kind: "MANUAL",
    delta: node.delta,
    reason: `${node.reason} (scenario "${scenario.name}")`,
    occurredAt: now,
    dedupeKey: `scenario:${run.id}:${context.seq}`,
  });
  if (score !== null) {
    await refreshSegmentsForContacts(
      tx,
      scenario.workspaceId,
      [contact.id],
      { kind: "score" },
      now,
    );
  }
  return { output: "next", detail: { score } };
}

async function setProperty(
  node: NodeOf<"set_property">,
  { tx, scenario, contact }: StepContext,
): Promise<NodeOutcome> {
  await updateContact(
    scenario.workspaceId,
    contact.id,
    { properties: { [node.key]: node.value } },
    tx,
  );
  return { output: "next" };
}

/** Unsubscribes the contact from marketing mail; one already unsubscribed is left as it is. */
async function unsubscribe({
  tx,
  scenario,
  contact,
  run,
  seq,
  now,
}: StepContext): Promise<NodeOutcome> {
  const changed = await unsubscribeContact(tx, {
    workspaceId: scenario.workspaceId,
    contactId: contact.id,
    source: unsubscribeSources.scenario,
    properties: { scenario_id: scenario.id, scenario_run_id: run.id },
    idempotencyKey: `consent:scenario:${run.id}:${seq}`,
    now,
  });
  // Later steps of this advance decide their sends on the contact as it now is.
  contact.consentStatus = "UNSUBSCRIBED";
  return changed ? { output: "next" } : { output: "next", reason: "already unsubscribed" };
}

/** Queues the call (its own job, retried with backoff) and waits for its outcome. */
async function webhook(node: NodeOf<"webhook">, context: StepContext): Promise<NodeOutcome> {
  await addJob(
    context.tx,
    "call_webhook",
    { runId: context.run.id, seq: context.seq },
    { jobKey: `call_webhook:${context.run.id}:${context.seq}`, maxAttempts: 5 },
  );
  return { wait: { until: null, resumeOutput: null }, detail: { url: node.url } };
}

async function startScenario(
  node: NodeOf<"start_scenario">,
  context: StepContext,
): Promise<NodeOutcome> {
  const result = await startRunOf(context.tx, {
    workspaceId: context.scenario.workspaceId,
    scenarioId: node.scenarioId,
    contactId: context.contact.id,
    trigger: context.run.trigger as unknown as RunTrigger,
    now: context.now,
  });
  return result.started
    ? { output: "next", detail: { runId: result.runId } }
    : { output: "next", reason: `not started: ${result.reason}` };
}
