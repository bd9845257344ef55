import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { scenarioBlueprints } from "../src/domain/scenarios/blueprints/catalogue.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { publishScenario } from "../src/domain/scenarios/scenarios.ts";
import { installSegmentTemplates } from "../src/domain/segments/playbook.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { messagesTo, runsOf, track } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { type LocalSes, startLocalSes } from "./support/index.ts";
import { day, hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

describe("installing scenario blueprints", () => {
  it.each(scenarioBlueprints.map((entry) => entry.name))(
    "installs %s as a valid draft, installing its templates once",
    async (name) => {
      const { workspace } = await createEmailWorkspace();
      const first = await installScenarioBlueprint(workspace.id, name, {});
      const second = await installScenarioBlueprint(workspace.id, name, {});
      expect(first.status).toBe("DRAFT");
      expect(second.id).not.toBe(first.id);
      const entry = scenarioBlueprints.find((known) => known.name === name)!;
      const templates = await db().template.findMany({ where: { workspaceId: workspace.id } });
      expect(templates.map((template) => template.libraryKey).sort()).toEqual(
        [...entry.templateKeys].sort(),
      );
      expect((await publishScenario(workspace.id, first.id)).status).toBe("LIVE");
    },
  );

  it("refuses an unknown name or bad options with a typed error naming the field, writing nothing", async () => {
    const { workspace } = await createEmailWorkspace();
    await expect(installScenarioBlueprint(workspace.id, "nope", {})).rejects.toMatchObject({
      name: "InvalidInputError",
      problems: [{ path: ["name"] }],
    });
    const bad = installScenarioBlueprint(workspace.id, "post_purchase_cross_sell", { days: 0 });
    await expect(bad).rejects.toBeInstanceOf(InvalidInputError);
    await expect(bad).rejects.toMatchObject({ problems: [{ path: ["options", "days"] }] });
    expect(await db().scenario.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await db().template.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("fills in the options' defaults and takes the given ones", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "post_purchase_cross_sell", {
      days: 21,
    });
    const definition = scenario.definition as any;
    expect(definition.nodes[0].duration).toEqual({ days: 21 });
    expect(definition.nodes[1].recommendations).toEqual([
      { block: "cross_sell", strategy: "frequently_bought_together", limit: 3 },
    ]);
  });
});

describe("the added blueprints' options", () => {
  it("replenishment narrows its audience to orders of the chosen product or category only when given", async () => {
    const { workspace } = await createEmailWorkspace();
    const any = (await installScenarioBlueprint(workspace.id, "replenishment", {})) as any;
    expect(any.definition.audience).toBeUndefined();
    expect(any.definition.nodes[0].duration).toEqual({ days: 30 });
    const coffee = (await installScenarioBlueprint(workspace.id, "replenishment", {
      category: "Coffee",
      days: 25,
    })) as any;
    expect(coffee.definition.audience).toEqual({
      purchased: { category: "Coffee", withinDays: 1 },
    });
    expect(coffee.definition.nodes[1].data).toEqual({ days_since_purchase: 25 });
  });

  it("win-back and browse abandonment refuse out-of-range options by field", async () => {
    const { workspace } = await createEmailWorkspace();
    await expect(
      installScenarioBlueprint(workspace.id, "win_back", { days: 3 }),
    ).rejects.toMatchObject({ problems: [{ path: ["options", "days"] }] });
    await expect(
      installScenarioBlueprint(workspace.id, "browse_abandonment", { afterHours: 0 }),
    ).rejects.toMatchObject({ problems: [{ path: ["options", "afterHours"] }] });
    expect(await db().scenario.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });
});

describe("the VIP welcome blueprint's segment", () => {
  it("installs the playbook's VIP segment once and the tag, unless a segment is chosen", async () => {
    const { workspace } = await createEmailWorkspace();
    const first = (await installScenarioBlueprint(workspace.id, "vip_welcome", {})) as any;
    const second = (await installScenarioBlueprint(workspace.id, "vip_welcome", {
      vipMinimumSpend: 900,
    })) as any;
    const segments = await db().segment.findMany({ where: { workspaceId: workspace.id } });
    expect(segments.map((segment) => [segment.templateKey, segment.filter])).toEqual([
      ["vip-customers", { orders: { metric: "TOTAL_SPENT", op: "AT_LEAST", value: 500 } }],
    ]);
    expect(first.definition.trigger).toEqual({
      kind: "segment_entered",
      segmentId: segments[0]!.id,
    });
    expect(second.definition.trigger).toEqual(first.definition.trigger);
    const tags = await db().tag.findMany({ where: { workspaceId: workspace.id } });
    expect(tags.map((tag) => tag.name)).toEqual(["VIP"]);

    const chosen = (await installScenarioBlueprint(workspace.id, "vip_welcome", {
      segmentId: segments[0]!.id,
      tag: "Gold",
    })) as any;
    expect(chosen.definition.trigger.segmentId).toBe(segments[0]!.id);
    expect(chosen.definition.nodes[0]).toMatchObject({ kind: "add_tag", tag: "Gold" });
  });

  it("refuses another workspace's segment, writing nothing", async () => {
    const { workspace: other } = await createEmailWorkspace();
    const [theirs] = await installSegmentTemplates(other.id, { templates: ["vip-customers"] });
    const { workspace } = await createEmailWorkspace();
    await expect(
      installScenarioBlueprint(workspace.id, "vip_welcome", { segmentId: theirs!.id }),
    ).rejects.toMatchObject({
      name: "InvalidInputError",
      problems: [{ path: ["options", "segmentId"] }],
    });
    await expect(
      installScenarioBlueprint(workspace.id, "vip_welcome", { segmentId: "nope" }),
    ).rejects.toMatchObject({ problems: [{ path: ["options", "segmentId"] }] });
    for (const table of [db().scenario, db().template, db().segment, db().tag] as any[]) {
      expect(await table.count({ where: { workspaceId: workspace.id } })).toBe(0);
    }
  });
});

describe("blueprints on the real engine", () => {
  it("abandoned cart: reminds of this cart after an hour; a converted cart gets nothing more", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "abandoned_cart", {});
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(
      workspace.id,
      ada.email!,
      clock.now(),
      {
        name: "Product Added",
        properties: { cart_id: "c-1", product_id: "tent", name: "Dome tent", price: 120 },
      },
      {
        name: "Product Added",
        properties: { cart_id: "c-2", product_id: "lamp", name: "Head lamp", price: 20 },
      },
    );
    await runDueWork(clock.now());
    await track(workspace.id, ada.email!, clock.advance(30 * minute), {
      name: "Order Completed",
      properties: { order_id: "o-1", cart_id: "c-2", total: 20 },
    });
    await runDueWork(clock.now());
    clock.advance(hour);
    await runDueWork(clock.now());

    const messages = await messagesTo(ada.id);
    expect(messages).toHaveLength(1);
    expect(await deliverMessage(messages[0]!.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const [received] = await ses.emails(ada.email!);
    expect(received?.body.html).toContain("Dome tent");
    expect(received?.body.html).not.toContain("Head lamp");

    clock.advance(day);
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(1);
    const runs = await runsOf(draft.id);
    expect(runs.map((run) => [run.entityKey, run.status]).sort()).toEqual([
      ["c-1", "COMPLETED"],
      ["c-2", "CONVERTED"],
    ]);
  });

  it("welcome discount: welcome, the code 2 days later, no reminder once an order used it", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const bob = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "welcome_discount", {
      discountCode: "HELLO5",
    });
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(workspace.id, ada.email!, clock.now(), { name: "Signed Up" });
    await track(workspace.id, bob.email!, clock.now(), { name: "Signed Up" });
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(1);
    clock.advance(2 * day);
    await runDueWork(clock.now());
    const [, code] = await messagesTo(ada.id);
    expect((code!.data as any).coupon).toEqual({ code: "HELLO5", description: "10% off" });
    await track(workspace.id, ada.email!, clock.advance(hour), {
      name: "Order Completed",
      properties: { order_id: "o-1", coupon: "HELLO5", total: 30 },
    });
    await runDueWork(clock.now());
    clock.advance(7 * day);
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(2);
    expect(await messagesTo(bob.id)).toHaveLength(3);
  });

  it("VIP welcome: the order that makes a contact a VIP tags them and sends the welcome, once", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "vip_welcome", {
      vipMinimumSpend: 100,
      discountCode: "THANKS",
    });
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    const order = (id: string, total: number) => ({
      name: "Order Completed",
      properties: { order_id: id, total, currency: "USD" },
    });
    await track(workspace.id, ada.email!, clock.now(), order("o-1", 60));
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(0);
    await track(workspace.id, ada.email!, clock.advance(hour), order("o-2", 60));
    await runDueWork(clock.now());
    await track(workspace.id, ada.email!, clock.advance(hour), order("o-3", 60));
    await runDueWork(clock.now());

    const messages = await messagesTo(ada.id);
    expect(messages).toHaveLength(1);
    expect((messages[0]!.data as any).coupon).toEqual({ code: "THANKS", description: "10% off" });
    const tagged = await db().contact.findFirstOrThrow({
      where: { id: ada.id },
      include: { tags: { include: { tag: true } } },
    });
    expect(tagged.tags.map((link) => link.tag.name)).toEqual(["VIP"]);
  });
});
