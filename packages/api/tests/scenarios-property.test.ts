import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import {
  unsubscribeByMessage,
  unsubscribeSources,
} from "../src/domain/messages/engagement/unsubscribe.ts";
import { createTag } from "../src/domain/tags/tags.ts";
import { createFlowTemplate, liveScenario, track } from "./scenario-fixtures.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
import { hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

/** A random scenario: a chain of nodes where conditions and splits branch to later nodes. */
const definitions = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant("delay"), hours: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant("send_email") }),
      fc.record({ kind: fc.constant("add_tag") }),
      fc.record({ kind: fc.constant("condition") }),
      fc.record({ kind: fc.constant("split") }),
      fc.record({ kind: fc.constant("wait_for_event"), hours: fc.integer({ min: 1, max: 48 }) }),
    ),
    { minLength: 1, maxLength: 7 },
  )
  .map((steps) =>
    steps.map((step, index) => ({ ...step, id: `n${index}`, last: index === steps.length - 1 })),
  );

const events = fc.array(
  fc.record({
    contact: fc.integer({ min: 0, max: 2 }),
    name: fc.constantFrom("Visit", "Order Completed", "Ping"),
    afterMinutes: fc.integer({ min: 1, max: 36 * 60 }),
    unsubscribe: fc.boolean(),
  }),
  { minLength: 1, maxLength: 8 },
);

describe("the scenario engine under random flows and event streams", () => {
  it("never sends a step twice, never mails the unsubscribed, never exceeds the cap, and explains every run", async () => {
    await fc.assert(
      fc.asyncProperty(definitions, events, fc.boolean(), async (steps, stream, capped) => {
        const { workspace } = await createEmailWorkspace();
        if (capped)
          await updateEmailSettings(workspace.id, { frequencyCaps: [{ count: 2, hours: 24 }] });
        const template = await createFlowTemplate(workspace.id, "Mail");
        await createTag(workspace.id, "seen");
        const next = (index: number) => (steps[index + 1] ? `n${index + 1}` : undefined);
        const nodes = steps.map((step, index) => {
          const to = next(index);
          switch (step.kind) {
            case "delay":
              return {
                id: step.id,
                kind: "delay",
                duration: { hours: (step as { hours: number }).hours },
                next: to,
              };
            case "send_email":
              return { id: step.id, kind: "send_email", templateId: template.id, next: to };
            case "add_tag":
              return { id: step.id, kind: "add_tag", tag: "seen", next: to };
            case "condition":
              return {
                id: step.id,
                kind: "condition",
                filter: { tag: { name: "seen" } },
                yes: to,
                no: to,
              };
            case "split":
              return {
                id: step.id,
                kind: "split",
                branches: [
                  { name: "A", weight: 1, next: to },
                  { name: "B", weight: 1 },
                ],
              };
            default:
              return {
                id: step.id,
                kind: "wait_for_event",
                event: "Ping",
                timeout: { hours: (step as { hours: number }).hours },
                matched: to,
                timedOut: to,
              };
          }
        });
        await liveScenario(workspace.id, {
          trigger: { kind: "event", event: "Visit" },
          entry: { rule: "every_time" },
          goals: [{ event: "Order Completed" }],
          start: "n0",
          nodes,
        });
        const clock = makeClock(new Date("2026-06-01T10:00:00Z"));
        const contacts = await Promise.all(
          [0, 1, 2].map(
            async (n) =>
              (
                await upsertContact(workspace.id, {
                  email: `p${n}-${Math.random()}@example.com`,
                  consent: { status: "SUBSCRIBED", source: "test" },
                })
              ).contact,
          ),
        );
        const unsubscribedAt = new Map<string, Date>();
        for (const event of stream) {
          clock.advance(event.afterMinutes * minute);
          await runDueWork(clock.now());
          const contact = contacts[event.contact]!;
          if (event.unsubscribe && !unsubscribedAt.has(contact.id)) {
            const message = await db().message.findFirst({ where: { contactId: contact.id } });
            if (message && (await unsubscribeByMessage(message.id, unsubscribeSources.oneClick))) {
              unsubscribedAt.set(contact.id, clock.now());
            }
          }
          await track(workspace.id, contact.email!, clock.now(), { name: event.name });
          await runDueWork(clock.now());
        }
        clock.advance(100 * hour);
        await runDueWork(clock.now());

        const runs = await db().scenarioRun.findMany({
          where: { workspaceId: workspace.id },
          include: { history: { orderBy: { seq: "asc" } } },
        });
        const messages = await db().message.findMany({ where: { workspaceId: workspace.id } });
        // One message per run and step, ever.
        const keys = messages.map((m) => `${m.scenarioRunId}:${m.idempotencyKey}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const message of messages) {
          const step = runs
            .find((r) => r.id === message.scenarioRunId)
            ?.history.find((s) => s.messageId === message.id);
          expect(step?.nodeId).toBe(message.scenarioNodeId);
          // Never queued for a contact who had unsubscribed.
          const gone = message.contactId ? unsubscribedAt.get(message.contactId) : undefined;
          if (gone) expect(message.queuedAt.getTime()).toBeLessThanOrEqual(gone.getTime());
        }
        if (capped) {
          for (const contact of contacts) {
            const times = messages
              .filter((m) => m.contactId === contact.id)
              .map((m) => m.queuedAt.getTime())
              .sort();
            for (let i = 2; i < times.length; i++)
              expect(times[i]! - times[i - 2]!).toBeGreaterThan(24 * hour);
          }
        }
        for (const run of runs) {
          // Finished, or waiting with a wake time or an event to wait for.
          if (run.status === "WAITING")
            expect(run.wakeAt !== null || run.waitEvent !== null).toBe(true);
          else expect(["COMPLETED", "CONVERTED", "EXITED"]).toContain(run.status);
          expect(run.status).not.toBe("ACTIVE");
          // The history explains each step: consecutive, every step but the current one left by an output.
          expect(run.history.map((s) => s.seq)).toEqual(run.history.map((_, i) => i));
          run.history.forEach((step, index) => {
            const current = index === run.history.length - 1;
            if (!current) expect(step.output).not.toBeNull();
          });
        }
      }),
      { numRuns: 6, seed: 7 },
    );
  }, 240_000);
});
