import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import {
  unsubscribeByMessage,
  unsubscribeSources,
} from "../src/domain/messages/engagement/unsubscribe.ts";
import { rebuildRecommendationGraphs } from "../src/domain/recommendations/rebuild-graphs.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { publishScenario } from "../src/domain/scenarios/scenarios.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { outdoorShop, pushOrders, stockShop, storeViews } from "./recommendation-fixtures.ts";
import { messagesTo, runsOf, track } from "./scenario-fixtures.ts";
import { testNow } from "./segment-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { type LocalSes, startLocalSes } from "./support/index.ts";
import { day, hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

/** A link as the mail carries it: through the click route, its target URL-encoded. */
const tracked = (url: string) => `?url=${encodeURIComponent(url)}`;

const repeat = <T>(times: number, item: T): T[] => Array.from({ length: times }, () => item);

/** The outdoor shop with socks the bestseller and stove + gas bought together. */
async function shopWithSignals(workspaceId: string) {
  await stockShop(workspaceId, outdoorShop);
  await pushOrders(workspaceId, [
    ...repeat(6, { products: ["socks"] }),
    ...repeat(4, { products: ["tent", "sleeping-bag"] }),
    ...repeat(3, { products: ["stove", "gas"] }),
  ]);
  await rebuildRecommendationGraphs(workspaceId, { now: testNow });
}

const options = {
  blogUrl: "https://northwind.example/blog",
  socialLinks: [
    { name: "Instagram", url: "https://instagram.com/northwind" },
    { name: "Pinterest", url: "https://pinterest.com/northwind" },
  ],
  articles: [
    { title: "How to pitch a tent in the rain", url: "https://northwind.example/blog/rain" },
    { title: "Ten-minute camp breakfasts", url: "https://northwind.example/blog/breakfast" },
  ],
  saleUrl: "https://northwind.example/sale",
  discountCode: "SALE15",
  percent: 15,
};

describe("the welcome series on the real engine", () => {
  it("five mails at days 0, 3, 7, 10 and 20 with the catalog's products; an unsubscribe ends it, an order skips the sale", async () => {
    const { workspace } = await createEmailWorkspace();
    await shopWithSignals(workspace.id);
    const [ada, bob, cy] = await Promise.all([1, 2, 3].map(() => createMailContact(workspace.id)));
    const draft = await installScenarioBlueprint(workspace.id, "welcome_series", options);
    await publishScenario(workspace.id, draft.id);
    const start = new Date(Math.floor(Date.now() / minute) * minute);
    const clock = makeClock(start);
    // Ada looked at the stove the day before: the picks for her start from it.
    await storeViews(
      workspace.id,
      { contactId: ada!.id },
      ["stove"],
      new Date(start.getTime() - day),
    );
    for (const contact of [ada, bob, cy]) {
      await track(workspace.id, contact!.email!, start, { name: "Signed Up" });
    }
    await runDueWork(clock.now());
    for (const contact of [ada, bob, cy]) expect(await messagesTo(contact!.id)).toHaveLength(1);

    const [welcome] = await messagesTo(ada!.id);
    expect(await deliverMessage(welcome!.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const received = (await ses.emails(ada!.email!)).at(-1)!;
    expect(received.subject).toBe("Welcome to Northwind Göods, Zoë!");
    expect(received.body.html).toContain(tracked("https://northwind.example/blog?utm_source"));
    expect(received.body.html).toContain(tracked("https://instagram.com/northwind?utm_source"));
    expect(received.body.html).toContain(">Pinterest</a>");

    // Bob unsubscribes from the welcome; Cy orders on day 5.
    const [bobsWelcome] = await messagesTo(bob!.id);
    expect(await unsubscribeByMessage(bobsWelcome!.id, unsubscribeSources.oneClick)).toBe(true);
    clock.advance(hour);
    await runDueWork(clock.now());

    /** Advances to a minute before `days` after the start, then to it: the mail comes exactly then. */
    const reach = async (days: number) => {
      clock.advance(start.getTime() + days * day - minute - clock.now().getTime());
      await runDueWork(clock.now());
      const before = (await messagesTo(ada!.id)).length;
      clock.advance(minute);
      await runDueWork(clock.now());
      const after = await messagesTo(ada!.id);
      expect(after.length, `day ${days}`).toBe(before + 1);
      const mail = after.at(-1)!;
      expect(await deliverMessage(mail.id, { sender: ses.sender })).toMatchObject({
        status: "SENT",
      });
      return (await ses.emails(ada!.email!)).at(-1)!;
    };

    const bestsellers = await reach(3);
    expect(bestsellers.subject).toBe("Our customers' favourites at Northwind Göods");
    const shown = String(bestsellers.body.html);
    const socks = shown.indexOf("The socks");
    expect(socks).toBeGreaterThan(-1);
    expect(shown.indexOf("The tent")).toBeGreaterThan(socks);

    await track(workspace.id, cy!.email!, new Date(start.getTime() + 5 * day), {
      name: "Order Completed",
      properties: { order_id: "o-cy", total: 12, currency: "USD" },
    });

    const articles = await reach(7);
    expect(articles.subject).toBe("A few good reads from Northwind Göods");
    expect(articles.body.html).toContain("How to pitch a tent in the rain");
    expect(articles.body.html).toContain(
      tracked("https://northwind.example/blog/breakfast?utm_source"),
    );

    const forYou = await reach(10);
    expect(forYou.subject).toBe("Zoë, picked for you");
    // Its complement first, then the stove itself: looked at and not bought, it is still a pick.
    expect(forYou.body.html).toContain("The gas");
    const picks = forYou.body.html ?? "";
    expect(picks.indexOf("The gas")).toBeLessThan(picks.indexOf("The stove"));

    const sale = await reach(20);
    expect(sale.subject).toBe("15% off: the sale is on");
    expect(sale.body.html).toContain("SALE15");
    expect(sale.body.html).toContain(tracked("https://northwind.example/sale?utm_source"));

    clock.advance(30 * day);
    await runDueWork(clock.now());
    expect(await messagesTo(ada!.id)).toHaveLength(5);
    expect(await messagesTo(bob!.id)).toHaveLength(1);
    const cys = await messagesTo(cy!.id);
    expect(cys.map((message) => (message.data as { step: string }).step)).toEqual([
      "welcome",
      "bestsellers",
      "articles",
      "for_you",
    ]);

    const runs = await runsOf(draft.id);
    const statusOf = (contactId: string) => runs.find((run) => run.contactId === contactId);
    expect(statusOf(ada!.id)?.status).toBe("COMPLETED");
    expect(statusOf(bob!.id)?.status).toBe("EXITED");
    expect(
      statusOf(cy!.id)
        ?.history.map((step) => [step.nodeId, step.output])
        .at(-2),
    ).toEqual(["ordered", "yes"]);
  });

  it("skips the articles and the sale mails when none are given; refuses days out of order", async () => {
    const { workspace } = await createEmailWorkspace();
    await stockShop(workspace.id, outdoorShop);
    const ada = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "welcome_series", {
      bestsellersAfterDays: 2,
    });
    await publishScenario(workspace.id, draft.id);
    const start = new Date(Math.floor(Date.now() / minute) * minute);
    await track(workspace.id, ada.email!, start, { name: "Signed Up" });
    for (const days of [0, 2, 10, 40]) await runDueWork(new Date(start.getTime() + days * day));
    const mails = await messagesTo(ada.id);
    expect(mails.map((message) => (message.data as { step: string }).step)).toEqual([
      "welcome",
      "bestsellers",
      "for_you",
    ]);
    expect(mails[0]?.data).toMatchObject({ step: "welcome", social_links: [] });
    expect(mails[0]?.data).not.toHaveProperty("blog_url");

    await expect(
      installScenarioBlueprint(workspace.id, "welcome_series", {
        articlesAfterDays: 12,
        recommendationsAfterDays: 10,
      }),
    ).rejects.toThrow(InvalidInputError);
  });
});
