import { describe, expect, it } from "vitest";
import { db, withTransaction } from "../src/db.ts";
import { recordCartEvent } from "../src/domain/orders/record-cart-event.ts";
import { bestsellersSql } from "../src/domain/recommendations/candidates.ts";
import { rebuildRecommendationGraphs } from "../src/domain/recommendations/rebuild-graphs.ts";
import { recommendProducts } from "../src/domain/recommendations/recommend-products.ts";
import type { RecommendationRequest } from "../src/domain/recommendations/recommendation-request.ts";
import { InvalidInputError, NotFoundError } from "../src/domain/shared/errors.ts";
import type { Prisma } from "../src/generated/prisma/client.ts";
import {
  idsOf,
  outdoorShop,
  pushOrders,
  stockShop,
  storeViews,
} from "./recommendation-fixtures.ts";
import { daysAgo, makeContact, makeWorkspace, storeEvent, testNow } from "./segment-fixtures.ts";

const repeat = <T>(times: number, item: T): T[] => Array.from({ length: times }, () => item);

/**
 * A shop with planted signals. Bought together: tent + sleeping bag (30), stove + gas (20),
 * tent + mat (10), tent + footprint (5); socks alone (45: the bestseller). Viewed together:
 * tent with the ultralight tent (20 sessions), the palace tent (10), the budget tent (8) and
 * the footprint (5).
 */
async function plantedShop() {
  const workspace = await makeWorkspace();
  await stockShop(workspace.id, [
    ...outdoorShop,
    { id: "footprint", category: "Camping > Tents", price: 120 },
  ]);
  await pushOrders(workspace.id, [
    ...repeat(30, { products: ["tent", "sleeping-bag"] }),
    ...repeat(20, { products: ["stove", "gas"] }),
    ...repeat(10, { products: ["tent", "mat"] }),
    ...repeat(5, { products: ["tent", "footprint"] }),
    ...repeat(45, { products: ["socks"] }),
  ]);
  let session = 0;
  const sessions = async (times: number, products: string[]) => {
    for (let i = 0; i < times; i++) {
      session += 1;
      await storeViews(workspace.id, { anonymousId: `visitor-${session}` }, products, daysAgo(2));
    }
  };
  await sessions(20, ["tent", "tent-ultralight"]);
  await sessions(10, ["tent", "tent-palace"]);
  await sessions(8, ["tent", "tent-budget"]);
  await sessions(5, ["tent", "footprint"]);
  await rebuildRecommendationGraphs(workspace.id, { now: testNow });
  return workspace;
}

const recommend = (workspaceId: string, request: RecommendationRequest) =>
  recommendProducts(workspaceId, request, { now: testNow });

const strategiesOf = (result: Awaited<ReturnType<typeof recommend>>) =>
  result.items.map((item) => item.strategy);

describe("recommendation strategies on a shop with planted signals", () => {
  it("recovers planted complements, substitutes and the upsell, each labelled, filled from bestsellers", async () => {
    const { id } = await plantedShop();
    const together = await recommend(id, {
      strategy: "frequently_bought_together",
      productIds: ["tent"],
      limit: 5,
    });
    expect(idsOf(together).slice(0, 3)).toEqual(["sleeping-bag", "mat", "footprint"]);
    expect(strategiesOf(together).slice(0, 3)).toEqual(repeat(3, "frequently_bought_together"));
    // Filled up: bestsellers of the tent's category first (the viewed tents), then of the shop.
    expect(together.items.slice(3).every((item) => item.strategy === "bestsellers")).toBe(true);
    expect(together.items).toHaveLength(5);
    expect(idsOf(together)).not.toContain("tent");

    const viewed = await recommend(id, {
      strategy: "viewed_also_viewed",
      productIds: ["tent"],
      limit: 4,
    });
    expect(idsOf(viewed)).toEqual(["tent-ultralight", "tent-palace", "tent-budget", "footprint"]);
    expect(viewed.items[0]?.score).toBeGreaterThan(viewed.items[1]?.score ?? 1);

    const upsell = await recommend(id, { strategy: "upsell", productIds: ["tent"], limit: 3 });
    // 110–200: the ultralight (160); the palace (450) and the budget tent (60) are out of the
    // band, and the footprint (120) is a complement of the tent.
    expect(upsell.items[0]).toMatchObject({
      strategy: "upsell",
      product: { shopProductId: "tent-ultralight" },
    });
    expect(idsOf(upsell)).not.toContain("footprint");
    expect(idsOf(upsell)).not.toContain("sleeping-bag");
    expect(strategiesOf(upsell).slice(1)).toEqual(["bestsellers", "bestsellers"]);
    const wide = await recommend(id, {
      strategy: "upsell",
      productIds: ["tent"],
      limit: 2,
      priceBand: { min: 1.1, max: 5 },
    });
    expect(idsOf(wide)).toEqual(["tent-ultralight", "tent-palace"]);
    expect(strategiesOf(wide)).toEqual(["upsell", "upsell"]);

    const best = await recommend(id, { strategy: "bestsellers", limit: 3 });
    expect(idsOf(best)).toEqual(["tent", "socks", "sleeping-bag"]);
    const campingBest = await recommend(id, {
      strategy: "bestsellers",
      limit: 2,
      filter: { category: "Camping > Kitchen" },
    });
    expect(idsOf(campingBest)).toEqual(["gas", "stove"]);
  });

  it("blends in popularity: a strong bestseller outranks a weak complement, by the weight asked", async () => {
    const { id } = await plantedShop();
    // The tent's complements by cosine, relative to the strongest: sleeping bag 1, mat 0.58,
    // footprint 0.41. Socks, never bought with it, sell as much as the tent (45 orders).
    const ranked = async (popularityWeight?: number) =>
      idsOf(
        await recommend(id, {
          strategy: "frequently_bought_together",
          productIds: ["tent"],
          limit: 4,
          ...(popularityWeight === undefined ? {} : { popularityWeight }),
        }),
      );
    // By default (0.3) socks rank 0.3, below the footprint's 0.41 + 0.3 × 5/45.
    expect(await ranked()).toEqual(["sleeping-bag", "mat", "footprint", "socks"]);
    // At 1: socks 1.0 beat the mat (0.58 + 10/45 = 0.80) and the footprint (0.52).
    expect(await ranked(1)).toEqual(["sleeping-bag", "socks", "mat", "footprint"]);
    // At 0 the signal alone orders: every complement before any bestseller.
    const signalOnly = await recommend(id, {
      strategy: "frequently_bought_together",
      productIds: ["tent"],
      limit: 4,
      popularityWeight: 0,
    });
    expect(strategiesOf(signalOnly)).toEqual([
      ...repeat(3, "frequently_bought_together"),
      "bestsellers",
    ]);
    await expect(
      recommend(id, { strategy: "bestsellers", limit: 2, popularityWeight: 1.5 }),
    ).rejects.toThrow(InvalidInputError);
  });

  it("works from a cart, leaving out what is in it", async () => {
    const { id } = await plantedShop();
    const ada = await makeContact(id);
    for (const product_id of ["tent", "sleeping-bag", "lamp"]) {
      await storeEvent(
        id,
        ada.id,
        "Product Added",
        { cart_id: "cart-1", product_id, price: 10 },
        daysAgo(1),
      );
    }
    await storeEvent(
      id,
      ada.id,
      "Product Removed",
      { cart_id: "cart-1", product_id: "lamp" },
      daysAgo(0.9),
    );
    // The cart's reaction folds its stored events into the cart row, as process_event does.
    await withTransaction((tx) =>
      recordCartEvent(
        tx,
        id,
        { name: "Product Removed", occurredAt: daysAgo(0.9), properties: { cart_id: "cart-1" } },
        "EUR",
      ),
    );
    const result = await recommend(id, {
      strategy: "frequently_bought_together",
      cartId: "cart-1",
      limit: 3,
    });
    // Filled from the shop's bestsellers: socks (45 orders) ties the tent, which is in the cart.
    expect(idsOf(result)).toEqual(["mat", "footprint", "socks"]);
    expect(strategiesOf(result)).toEqual([
      "frequently_bought_together",
      "frequently_bought_together",
      "bestsellers",
    ]);
    await expect(
      recommend(id, { strategy: "frequently_bought_together", cartId: "nope" }),
    ).rejects.toThrow(NotFoundError);
  });

  it("cross-sells the complements of an order or a contact's purchases, never what they own", async () => {
    const { id } = await plantedShop();
    const ada = await makeContact(id, { email: "ada@example.com" });
    await pushOrders(id, [
      { products: ["mat"], email: "ada@example.com", daysAgo: 100 },
      { products: ["tent"], email: "ada@example.com", daysAgo: 3 },
    ]);
    const [order] = await db().order.findMany({
      where: { workspaceId: id, contactId: ada.id, lines: { some: { shopProductId: "tent" } } },
    });
    const fromContact = await recommend(id, {
      strategy: "cross_sell",
      contactId: ada.id,
      limit: 2,
    });
    expect(idsOf(fromContact)).toEqual(["sleeping-bag", "footprint"]);
    const fromOrder = await recommend(id, {
      strategy: "cross_sell",
      orderId: order?.shopOrderId ?? "",
      limit: 2,
    });
    expect(idsOf(fromOrder)).toEqual(["sleeping-bag", "footprint"]);
    expect(strategiesOf(fromOrder)).toEqual(["cross_sell", "cross_sell"]);
  });

  it("personalises for you from recent signals, the recent weighing more", async () => {
    const { id } = await plantedShop();
    const ada = await makeContact(id, { email: "ada@example.com" });
    await storeViews(id, { contactId: ada.id }, ["tent"], daysAgo(60));
    await storeViews(id, { contactId: ada.id }, ["stove"], daysAgo(1));
    const result = await recommend(id, { strategy: "for_you", contactId: ada.id, limit: 3 });
    // Gas: the stove's complement at cosine 1. The stove itself, viewed and not bought, at half
    // its weight. Then the tent: its signal, a view 60 days old (weight 0.05), is faint, but it
    // is the top seller (45 orders: + 0.3 × 45/45), ahead of its neighbour the sleeping bag
    // (0.05 × 0.82 + 0.3 × 30/45).
    expect(idsOf(result)).toEqual(["gas", "stove", "tent"]);
    expect(strategiesOf(result)).toEqual(["for_you", "for_you", "for_you"]);
    // Bought, the stove is not shown again (its complement, gas, weighs more for it); the lamp,
    // viewed three times this week, comes next.
    await storeViews(id, { contactId: ada.id }, ["lamp", "lamp", "lamp"], daysAgo(2));
    await pushOrders(id, [{ products: ["stove"], email: "ada@example.com", daysAgo: 1 }]);
    const later = await recommend(id, { strategy: "for_you", contactId: ada.id, limit: 3 });
    expect(idsOf(later).slice(0, 2)).toEqual(["gas", "lamp"]);
    expect(idsOf(later)).not.toContain("stove");
    const stranger = await makeContact(id);
    const cold = await recommend(id, { strategy: "for_you", contactId: stranger.id, limit: 2 });
    expect(idsOf(cold)).toEqual(["tent", "socks"]);
    expect(strategiesOf(cold)).toEqual(["bestsellers", "bestsellers"]);
  });

  it("leaves out archived, draft, out-of-stock and recently bought products, and honours the filter", async () => {
    const { id } = await plantedShop();
    const ada = await makeContact(id, { email: "ada@example.com" });
    await pushOrders(id, [{ products: ["mat"], email: "ada@example.com", daysAgo: 3 }]);
    await stockShop(id, [
      { id: "sleeping-bag", category: "Camping > Sleeping", price: 80, status: "ARCHIVED" },
      { id: "footprint", category: "Camping > Tents", price: 120, inStock: false },
      { id: "tent-ultralight", category: "Camping > Tents", price: 160, status: "DRAFT" },
    ]);
    const request: RecommendationRequest = {
      strategy: "frequently_bought_together",
      productIds: ["tent"],
      limit: 10,
    };
    const shown = idsOf(await recommend(id, { ...request, contactId: ada.id }));
    for (const hidden of ["sleeping-bag", "footprint", "tent-ultralight", "mat", "tent"]) {
      expect(shown).not.toContain(hidden);
    }
    expect(shown).toHaveLength(6);
    const anyTime = idsOf(
      await recommend(id, { ...request, contactId: ada.id, excludeBoughtWithinDays: 0 }),
    );
    expect(anyTime[0]).toBe("mat");
    const cheap = await recommend(id, { ...request, filter: { priceRange: { max: 30 } } });
    expect(idsOf(cheap)).toEqual(["mat", "socks", "gas", "lamp"]);
    const kitchen = await recommend(id, { ...request, filter: { category: "Camping > Kitchen" } });
    expect(idsOf(kitchen)).toEqual(["gas", "stove"]);
  });

  it("fills a block from bestsellers when a product has no signal, and from the catalog when nothing has", async () => {
    const { id } = await plantedShop();
    const lonely = await recommend(id, {
      strategy: "frequently_bought_together",
      productIds: ["lamp"],
      limit: 3,
    });
    expect(idsOf(lonely)).toEqual(["tent", "socks", "sleeping-bag"]);
    expect(strategiesOf(lonely)).toEqual(repeat(3, "bestsellers"));
    const fresh = await makeWorkspace();
    await stockShop(fresh.id, outdoorShop.slice(0, 3));
    const empty = await recommend(fresh.id, {
      strategy: "viewed_also_viewed",
      productIds: ["tent"],
      limit: 4,
    });
    expect(idsOf(empty).sort()).toEqual(["tent-palace", "tent-ultralight"]);
  });

  it("refuses a missing anchor, an unknown id and a limit out of range with typed errors", async () => {
    const { id } = await plantedShop();
    const other = await makeWorkspace();
    const stranger = await makeContact(other.id);
    await expect(recommend(id, { strategy: "frequently_bought_together" })).rejects.toMatchObject({
      name: "InvalidInputError",
      problems: [
        {
          path: ["productIds"],
          message: "frequently_bought_together needs productIds or cartId or orderId",
        },
      ],
    });
    await expect(recommend(id, { strategy: "for_you" })).rejects.toThrow(InvalidInputError);
    await expect(recommend(id, { strategy: "bestsellers", limit: 0 })).rejects.toMatchObject({
      problems: [{ path: ["limit"] }],
    });
    await expect(recommend(id, { strategy: "bestsellers", limit: 51 })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(
      recommend(id, { strategy: "upsell", productIds: ["tent", "no-such"] }),
    ).rejects.toMatchObject({
      name: "NotFoundError",
      entity: "Product",
      reference: "no-such",
    });
    await expect(recommend(id, { strategy: "cross_sell", orderId: "no-such" })).rejects.toThrow(
      NotFoundError,
    );
    // Another workspace's contact and products do not exist here, and its signals are not used.
    await expect(recommend(id, { strategy: "for_you", contactId: stranger.id })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      recommend(other.id, { strategy: "viewed_also_viewed", productIds: ["tent"] }),
    ).rejects.toThrow(NotFoundError);
    await stockShop(other.id, outdoorShop);
    const theirs = await recommend(other.id, {
      strategy: "frequently_bought_together",
      productIds: ["tent"],
      limit: 3,
    });
    expect(strategiesOf(theirs)).toEqual(repeat(3, "bestsellers"));
  });
  it("reads bestsellers from the head of the counts first, an exact prefix of the full ranking with its ties", async () => {
    const { id } = await plantedShop();
    const ranking = async (sql: Prisma.Sql) =>
      (
        await db().$queryRaw<{ productId: string }[]>`
          SELECT c.product_id AS "productId" FROM (${sql}) c ORDER BY c.score DESC, c.product_id`
      ).map((row) => row.productId);
    const full = await ranking(bestsellersSql(id, null));
    // Bought: tent and socks 45, sleeping bag 30, stove and gas 20, mat 10, footprint 5.
    expect(await ranking(bestsellersSql(id, null, 1))).toEqual(["tent", "socks"]);
    const headOfFour = await ranking(bestsellersSql(id, null, 4));
    expect(headOfFour).toEqual(["tent", "socks", "sleeping-bag", "gas", "stove"]);
    expect(full.slice(0, headOfFour.length)).toEqual(headOfFour);
    expect(full.length).toBeGreaterThan(headOfFour.length);
    // A head larger than what was ever bought is every bought product: the seven above.
    expect(await ranking(bestsellersSql(id, null, 1_000))).toEqual(full.slice(0, 7));
    // The head and then the rest, as `recommendProducts` asks for them, is the full ranking.
    const best = await recommend(id, { strategy: "bestsellers", limit: 8 });
    expect(idsOf(best)).toEqual(full.slice(0, 8));
  });
});
