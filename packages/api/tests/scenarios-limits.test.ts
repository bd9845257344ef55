import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { updateScenario } from "../src/domain/scenarios/scenarios.ts";
import { createFlowTemplate, liveScenario, messagesTo, track } from "./scenario-fixtures.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
import { makeClock, runDueWork } from "./support/scenarios.ts";

const at = (iso: string) => new Date(iso);

describe("frequency caps and quiet hours across scenarios", () => {
  it("sends nothing in quiet hours or over the cap, the higher priority first, each deferred send at the first allowed minute", async () => {
    const { workspace } = await createEmailWorkspace();
    await updateEmailSettings(workspace.id, {
      frequencyCaps: [{ count: 1, hours: 16 }],
      quietHours: { from: "21:00", to: "08:00" },
    });
    const promoA = await createFlowTemplate(workspace.id, "Promo A");
    const promoB = await createFlowTemplate(workspace.id, "Promo B");
    const receipt = await createFlowTemplate(workspace.id, "Receipt", "TRANSACTIONAL");
    const sendOn = (templateId: string) => ({
      trigger: { kind: "event", event: "Visit" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId }],
    });
    await liveScenario(workspace.id, sendOn(promoB.id), "Low priority");
    const high = await liveScenario(workspace.id, sendOn(promoA.id), "High priority");
    await updateScenario(workspace.id, high.id, { priority: 10 });
    await liveScenario(workspace.id, sendOn(receipt.id), "Transactional");

    const person = async (email: string, timezone: string) =>
      (
        await upsertContact(workspace.id, {
          email,
          timezone,
          consent: { status: "SUBSCRIBED", source: "test" },
        })
      ).contact;
    const paris = await person("paris@example.com", "Europe/Paris");
    const tokyo = await person("tokyo@example.com", "Asia/Tokyo");

    const clock = makeClock(at("2026-12-01T12:30:00Z")); // 13:30 in Paris, 21:30 in Tokyo
    for (const contact of [paris, tokyo])
      await track(workspace.id, contact.email!, clock.now(), { name: "Visit" });
    for (const checkpoint of [
      "2026-12-01T12:30:00Z",
      "2026-12-01T22:59:00Z",
      "2026-12-01T23:00:00Z", // 08:00 in Tokyo
      "2026-12-02T06:59:00Z",
      "2026-12-02T07:00:00Z", // 08:00 in Paris
      "2026-12-02T23:00:00Z", // 08:00 in Tokyo, the next day
    ]) {
      await runDueWork(at(checkpoint));
    }
    const sent = async (contactId: string) =>
      (await messagesTo(contactId))
        .map((m) => [m.template?.name ?? "", m.queuedAt.toISOString()])
        .sort(([a = "", at = ""], [b = "", bt = ""]) => at.localeCompare(bt) || a.localeCompare(b));
    expect(await sent(paris.id)).toEqual([
      ["Promo A", "2026-12-01T12:30:00.000Z"],
      ["Receipt", "2026-12-01T12:30:00.000Z"],
      ["Promo B", "2026-12-02T07:00:00.000Z"],
    ]);
    expect(await sent(tokyo.id)).toEqual([
      ["Receipt", "2026-12-01T12:30:00.000Z"], // transactional mail ignores quiet hours
      ["Promo A", "2026-12-01T23:00:00.000Z"],
      ["Promo B", "2026-12-02T23:00:00.000Z"],
    ]);
    for (const [contact, zone] of [
      [paris, "Europe/Paris"],
      [tokyo, "Asia/Tokyo"],
    ] as const) {
      const marketing = (await messagesTo(contact.id)).filter((m) => m.kind === "MARKETING");
      for (const message of marketing) {
        const hour = DateTime.fromJSDate(message.queuedAt, { zone }).hour;
        expect(hour >= 8 && hour < 21).toBe(true);
      }
      for (let i = 1; i < marketing.length; i++) {
        expect(
          marketing[i]!.queuedAt.getTime() - marketing[i - 1]!.queuedAt.getTime(),
        ).toBeGreaterThanOrEqual(16 * 3_600_000);
      }
    }
  });
});
