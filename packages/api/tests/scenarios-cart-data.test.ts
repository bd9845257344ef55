import { describe, expect, it } from "vitest";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import {
  createFlowTemplate,
  liveScenario,
  messagesTo,
  runsOf,
  track,
} from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

const cartReminder = (templateId: string) => ({
  trigger: { kind: "event", event: "Product Added" },
  entityKey: "cart_id",
  entry: { rule: "once_per_entity" },
  start: "wait-1h",
  nodes: [
    { id: "wait-1h", kind: "delay", duration: { hours: 1 }, next: "still-in-cart" },
    { id: "still-in-cart", kind: "condition", fact: { kind: "cart_has_items" }, yes: "reminder" },
    { id: "reminder", kind: "send_email", templateId },
  ],
});

const addShirt = (cart: string) => ({
  name: "Product Added",
  properties: { cart_id: cart, product_id: "shirt", name: "Shirt", price: 40, quantity: 2 },
});

describe("the cart and order a scenario's email shows", () => {
  it("shows the cart's current lines at the catalog's price now, with its stock", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const template = await createFlowTemplate(workspace.id, "Your cart");
    const scenario = await liveScenario(workspace.id, cartReminder(template.id));
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(workspace.id, ada.email!, clock.now(), addShirt("c-1"));
    await track(workspace.id, ada.email!, clock.advance(minute), {
      name: "Product Added",
      properties: { cart_id: "c-1", product_id: "mug", name: "Mug", price: 8 },
    });
    await runDueWork(clock.now());
    // During the delay the shop drops the shirt's price and sells out of mugs.
    await upsertProducts(workspace.id, [
      { productId: "shirt", title: "Linen shirt", price: 30, compareAtPrice: 40, currency: "USD" },
      { productId: "mug", title: "Mug", price: 8, currency: "USD", inStock: false },
    ]);
    clock.advance(hour);
    await runDueWork(clock.now());

    const [message] = await messagesTo(ada.id);
    const cart = (message!.data as any).cart;
    expect(cart).toMatchObject({ id: "c-1", currency: "USD", total: 2 * 3000 + 800 });
    expect(cart.items).toEqual([
      expect.objectContaining({
        product_id: "shirt",
        name: "Linen shirt",
        price: 3000,
        compare_at_price: 4000,
        quantity: 2,
        in_stock: true,
      }),
      expect.objectContaining({ product_id: "mug", price: 800, in_stock: false }),
    ]);
    expect((await runsOf(scenario.id))[0]?.status).toBe("COMPLETED");
  });

  it("does not remind of a cart emptied or bought by an order without its cart id", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const template = await createFlowTemplate(workspace.id, "Your cart");
    const scenario = await liveScenario(workspace.id, cartReminder(template.id));
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(workspace.id, ada.email!, clock.now(), addShirt("emptied"), addShirt("bought"));
    await runDueWork(clock.now());
    await track(workspace.id, ada.email!, clock.advance(minute), {
      name: "Product Removed",
      properties: { cart_id: "emptied", product_id: "shirt", quantity: 2 },
    });
    await runDueWork(clock.now());
    await upsertOrders(
      workspace.id,
      [
        {
          orderId: "o-1",
          customer: { email: ada.email },
          total: 80,
          orderedAt: clock.advance(minute).toISOString(),
          lines: [{ productId: "shirt", price: 40, quantity: 2 }],
        },
      ],
      { now: clock.now() },
    );
    clock.advance(hour);
    await runDueWork(clock.now());
    const runs = await runsOf(scenario.id);
    // Both runs started at the same instant: compare them by cart, not by an order of ties.
    const outcomes = runs.map((run) => [run.entityKey, run.history.at(-1)?.output]);
    expect(outcomes.sort()).toEqual([
      ["bought", "no"],
      ["emptied", "no"],
    ]);
    expect(await messagesTo(ada.id)).toEqual([]);
  });

  it("shows the order from its row, with its refunds, once a later event moved it", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const template = await createFlowTemplate(workspace.id, "Thanks");
    await liveScenario(workspace.id, {
      trigger: { kind: "event", event: "Order Completed" },
      entityKey: "order_id",
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { hours: 1 }, next: "thanks" },
        { id: "thanks", kind: "send_email", templateId: template.id },
      ],
    });
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(workspace.id, ada.email!, clock.now(), {
      name: "Order Completed",
      properties: {
        order_id: "1042",
        order_number: "#1042",
        total: 50,
        products: [{ product_id: "shirt", name: "Shirt", price: 25, quantity: 2 }],
      },
    });
    await runDueWork(clock.now());
    await track(workspace.id, ada.email!, clock.advance(minute), {
      name: "Order Refunded",
      properties: { order_id: "1042", refund_id: "r1", refund_amount: 25 },
    });
    clock.advance(hour);
    await runDueWork(clock.now());
    const [message] = await messagesTo(ada.id);
    expect((message!.data as any).order).toMatchObject({
      id: "1042",
      number: "#1042",
      total: 5000,
      refunded: 2500,
      net_total: 2500,
      status: "PARTIALLY_REFUNDED",
      items: [{ product_id: "shirt", name: "Shirt", price: 2500, quantity: 2 }],
      refunds: [{ amount: 2500 }],
    });
  });
});
