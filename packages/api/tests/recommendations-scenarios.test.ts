import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { installTemplateLibrary } from "../src/domain/email-templates/template-library.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { rebuildRecommendationGraphs } from "../src/domain/recommendations/rebuild-graphs.ts";
import { outdoorShop, pushOrders, stockShop } from "./recommendation-fixtures.ts";
import { liveScenario, messagesTo, runsOf, track } from "./scenario-fixtures.ts";
import { makeWorkspace } from "./segment-fixtures.ts";
import { type LocalSes, startLocalSes } from "./support/index.ts";
import { makeClock, runDueWork } from "./support/scenarios.ts";

let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

const repeat = <T>(times: number, item: T): T[] => Array.from({ length: times }, () => item);

describe("recommendations in a scenario's mail", () => {
  it("binds the send node's cross-sell block at queue time, and its links name block and strategy", async () => {
    const shop = await makeWorkspace();
    await updateEmailSettings(shop.id, {
      shopName: "Outdoors",
      postalAddress: "1 Trail Rd",
      fromEmail: "hello@outdoors.example",
      currency: "EUR",
      sendRatePerSecond: 1000,
    });
    await stockShop(shop.id, outdoorShop);
    await pushOrders(shop.id, [
      ...repeat(6, { products: ["tent", "sleeping-bag"] }),
      ...repeat(3, { products: ["tent", "mat"] }),
      ...repeat(4, { products: ["stove", "gas"] }),
    ]);
    await rebuildRecommendationGraphs(shop.id);
    const {
      templates: [crossSell],
    } = await installTemplateLibrary(shop.id, { keys: ["post-purchase-cross-sell"] });
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Order Completed" },
      start: "thanks",
      nodes: [
        {
          id: "thanks",
          kind: "send_email",
          templateId: crossSell?.id,
          recommendations: [{ block: "cross_sell", strategy: "cross_sell", limit: 3 }],
        },
      ],
    });
    const { contact: ada } = await upsertContact(shop.id, {
      email: "ada@example.com",
      firstName: "Ada",
      consent: { status: "SUBSCRIBED", source: "checkout" },
    });
    const clock = makeClock();
    await track(shop.id, "ada@example.com", clock.now(), {
      name: "Order Completed",
      properties: {
        order_id: "A-1",
        order_number: "#A-1",
        currency: "EUR",
        total: 100,
        products: [{ product_id: "tent", name: "The tent", price: 100, quantity: 1 }],
      },
    });
    await runDueWork(clock.now());
    const [run] = await runsOf(scenario.id);
    expect(run?.history.map((step) => [step.nodeId, step.output])).toEqual([["thanks", "next"]]);
    const [message] = await messagesTo(ada.id);
    if (!message) throw new Error("no message was queued");
    const block = (message.data as { recommendations: Record<string, unknown[]> }).recommendations
      .cross_sell;
    expect(block).toEqual([
      expect.objectContaining({
        id: "sleeping-bag",
        name: "The sleeping-bag",
        price: 8000,
        block: "cross_sell",
        strategy: "cross_sell",
      }),
      expect.objectContaining({ id: "mat", strategy: "cross_sell" }),
      // Filled up from the fallback: the tent's category has nothing else with a signal.
      expect.objectContaining({ strategy: "bestsellers" }),
    ]);
    expect(await deliverMessage(message.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const [received] = await ses.emails("ada@example.com");
    const html = received?.body.html ?? "";
    // Click tracking wraps each link; the shop URL it leads to is its `url` parameter.
    const destinations = [...html.matchAll(/href="([^"]+)"/g)].map((match) => {
      const href = new URL((match[1] ?? "").replaceAll("&amp;", "&"));
      return href.searchParams.get("url") ?? href.toString();
    });
    expect(html).toContain("The sleeping-bag");
    expect(html).toContain("€80.00");
    expect(destinations).toContain(
      "https://shop.test/p/sleeping-bag?cw_block=cross_sell&cw_strategy=cross_sell&utm_source=cartwheel&utm_medium=email&utm_campaign=post-purchase-cross-sell&utm_content=product",
    );
    expect(destinations.filter((url) => url.includes("cw_strategy=bestsellers"))).toHaveLength(2); // title and button
    expect(destinations.some((url) => url.startsWith("https://shop.test/p/tent?"))).toBe(false);
  });

  it("refuses a send node whose blocks are malformed", async () => {
    const shop = await makeWorkspace();
    const {
      templates: [crossSell],
    } = await installTemplateLibrary(shop.id, { keys: ["post-purchase-cross-sell"] });
    const send = (recommendations: unknown) =>
      liveScenario(shop.id, {
        trigger: { kind: "event", event: "Order Completed" },
        start: "thanks",
        nodes: [{ id: "thanks", kind: "send_email", templateId: crossSell?.id, recommendations }],
      });
    await expect(send([{ block: "Cross Sell", strategy: "cross_sell" }])).rejects.toMatchObject({
      name: "InvalidInputError",
    });
    await expect(send([{ block: "x", strategy: "most_expensive" }])).rejects.toMatchObject({
      name: "InvalidInputError",
    });
    await expect(
      send([
        { block: "x", strategy: "upsell" },
        { block: "x", strategy: "bestsellers" },
      ]),
    ).rejects.toMatchObject({ name: "InvalidInputError" });
  });
});
