import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import {
  createScenario,
  pauseScenario,
  publishScenario,
  resumeScenario,
} from "../src/domain/scenarios/scenarios.ts";
import {
  occurrenceBetween,
  sweepDateTriggers,
} from "../src/domain/scenarios/triggers/date-triggers.ts";
import { createFlowTemplate, messagesTo } from "./scenario-fixtures.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
import { day, minute, runDueWork } from "./support/scenarios.ts";

const at = (iso: string) => new Date(iso);

async function shop(trigger: Record<string, unknown>, publishedAt: Date) {
  const { workspace } = await createEmailWorkspace();
  const template = await createFlowTemplate(workspace.id, "Happy day");
  const draft = await createScenario(workspace.id, {
    name: "Dates",
    definition: {
      version: 1,
      trigger: { kind: "date", ...trigger },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    },
  });
  const scenario = await publishScenario(workspace.id, draft.id, { now: publishedAt });
  return { workspaceId: workspace.id, scenario };
}

let contactCounter = 0;
async function contact(workspaceId: string, fields: Record<string, unknown>) {
  contactCounter += 1;
  const { contact } = await upsertContact(workspaceId, {
    email: `dates-${contactCounter}@example.com`,
    firstName: "Ada",
    consent: { status: "SUBSCRIBED", source: "test" },
    ...fields,
  });
  return contact;
}

const runsFor = (scenarioId: string) =>
  db().scenarioRun.findMany({
    where: { scenarioId },
    orderBy: { startedAt: "asc" },
    select: { contactId: true, trigger: true, startedAt: true },
  });

describe("date triggers", () => {
  it("starts a birthday run each year at 09:00 in each contact's time zone, once", async () => {
    const { workspaceId, scenario } = await shop({ field: "BIRTHDAY" }, at("2026-05-01T00:00:00Z"));
    const tokyo = await contact(workspaceId, { birthday: "1990-05-14", timezone: "Asia/Tokyo" });
    const paris = await contact(workspaceId, {
      birthday: "1985-05-14",
      timezone: "Europe/Paris",
    });
    await contact(workspaceId, { birthday: "1990-06-14", timezone: "Asia/Tokyo" });
    await contact(workspaceId, {});

    // 09:00 in Tokyo is 00:00 UTC; in Paris (summer time) 07:00 UTC.
    expect(await sweepDateTriggers(at("2026-05-13T23:59:00Z"))).toBe(0);
    expect(await sweepDateTriggers(at("2026-05-14T00:00:00Z"))).toBe(1);
    expect(await sweepDateTriggers(at("2026-05-14T06:59:00Z"))).toBe(0);
    expect(await sweepDateTriggers(at("2026-05-14T07:00:30Z"))).toBe(1);
    // Sweeping the same moments again starts nothing more.
    expect(await sweepDateTriggers(at("2026-05-14T07:00:30Z"))).toBe(0);
    expect(await sweepDateTriggers(at("2026-05-15T12:00:00Z"))).toBe(0);
    expect((await runsFor(scenario.id)).map((run) => run.contactId)).toEqual([tokyo.id, paris.id]);
    expect((await runsFor(scenario.id))[0]?.trigger).toMatchObject({
      name: "Date Reached",
      occurredAt: "2026-05-14T00:00:00.000Z",
      properties: { field: "BIRTHDAY", date: "1990-05-14", occurrence: "2026-05-14" },
    });

    // The run goes on as any other: the birthday mail goes out.
    await runDueWork(at("2026-05-14T07:01:00Z"));
    expect(await messagesTo(tokyo.id)).toHaveLength(1);

    // A year later, again (the sweep catches up on the days the worker was away).
    expect(await sweepDateTriggers(at("2027-05-14T08:00:00Z"))).toBe(2);
    expect(await runsFor(scenario.id)).toHaveLength(4);
  });

  it("starts once N days after a date property, at a time of day, in the workspace's zone as fallback", async () => {
    const { workspaceId, scenario } = await shop(
      { property: "last_order_at", offsetDays: 30, at: "10:00" },
      at("2026-05-01T00:00:00Z"),
    );
    await updateEmailSettings(workspaceId, { timezone: "America/New_York" });
    const lapsed = await contact(workspaceId, {
      properties: { last_order_at: "2026-05-01T15:30:00Z" },
    });
    await contact(workspaceId, { properties: { last_order_at: "soon" } });
    await contact(workspaceId, { properties: { last_order_at: 20260501 } });
    await contact(workspaceId, { properties: { last_order_at: "2026-02-30" } });

    // 31 May 10:00 in New York (EDT) is 14:00 UTC.
    expect(await sweepDateTriggers(at("2026-05-31T13:59:00Z"))).toBe(0);
    expect(await sweepDateTriggers(at("2026-05-31T14:00:00Z"))).toBe(1);
    expect(await sweepDateTriggers(at("2027-05-31T14:00:00Z"))).toBe(0);
    const runs = await runsFor(scenario.id);
    expect(runs.map((run) => run.contactId)).toEqual([lapsed.id]);
    expect(runs[0]?.trigger).toMatchObject({
      properties: { property: "last_order_at", date: "2026-05-01", occurrence: "2026-05-31" },
    });
  });

  it("skips dates that passed before publishing or while paused, and never starts one twice under concurrent sweeps", async () => {
    const publishedAt = at("2026-05-14T12:00:00Z");
    const { workspaceId, scenario } = await shop({ field: "BIRTHDAY", at: "09:00" }, publishedAt);
    await contact(workspaceId, { birthday: "1990-05-14", timezone: "UTC" });
    const later = await contact(workspaceId, { birthday: "1990-05-20", timezone: "UTC" });
    const paused = await contact(workspaceId, { birthday: "1990-05-17", timezone: "UTC" });

    // 14 May 09:00 passed before the publish: not caught up.
    expect(await sweepDateTriggers(at("2026-05-15T00:00:00Z"))).toBe(0);
    await pauseScenario(workspaceId, scenario.id);
    expect(await sweepDateTriggers(at("2026-05-17T10:00:00Z"))).toBe(0);
    await resumeScenario(workspaceId, scenario.id, { now: at("2026-05-18T00:00:00Z") });
    const sweeps = await Promise.all(
      Array.from({ length: 4 }, () => sweepDateTriggers(at("2026-05-20T09:00:00Z"))),
    );
    expect(sweeps.reduce((sum, n) => sum + n, 0)).toBe(1);
    const runs = await runsFor(scenario.id);
    expect(runs.map((run) => run.contactId)).toEqual([later.id]);
    expect(runs.map((run) => run.contactId)).not.toContain(paused.id);
  });
});

describe("occurrenceBetween", () => {
  const yearly = { offsetDays: 0, at: "09:00", yearly: true };

  it("keeps 29 February birthdays on the 28th in other years", () => {
    const born = at("2000-02-29T00:00:00Z");
    expect(
      occurrenceBetween(
        born,
        yearly,
        "UTC",
        at("2027-02-28T08:00:00Z"),
        at("2027-02-28T10:00:00Z"),
      ),
    ).toEqual({ moment: at("2027-02-28T09:00:00Z"), day: "2027-02-28" });
    expect(
      occurrenceBetween(
        born,
        yearly,
        "UTC",
        at("2028-02-29T08:00:00Z"),
        at("2028-02-29T10:00:00Z"),
      ),
    ).toEqual({ moment: at("2028-02-29T09:00:00Z"), day: "2028-02-29" });
  });

  it("moves the occurrence by offsetDays, across a year's end", () => {
    const born = at("1990-01-02T00:00:00Z");
    const weekBefore = { ...yearly, offsetDays: -7 };
    expect(
      occurrenceBetween(
        born,
        weekBefore,
        "UTC",
        at("2026-12-26T08:59:00Z"),
        at("2026-12-26T09:00:00Z"),
      ),
    ).toEqual({ moment: at("2026-12-26T09:00:00Z"), day: "2026-12-26" });
    expect(
      occurrenceBetween(
        born,
        weekBefore,
        "UTC",
        at("2026-12-26T09:00:00Z"),
        at("2026-12-27T00:00:00Z"),
      ),
    ).toBeNull();
  });

  it("is exclusive of the window's start and inclusive of its end", () => {
    const once = { offsetDays: 1, at: "00:30", yearly: false };
    const date = at("2026-03-01T00:00:00Z");
    const moment = at("2026-03-02T00:30:00Z");
    expect(occurrenceBetween(date, once, "UTC", moment, new Date(moment.getTime() + minute))).toBe(
      null,
    );
    expect(
      occurrenceBetween(date, once, "UTC", new Date(moment.getTime() - day), moment)?.moment,
    ).toEqual(moment);
  });
});
