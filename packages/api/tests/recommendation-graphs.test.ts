import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { foldContributions } from "../src/domain/recommendations/fold-contributions.ts";
import { rebuildRecommendationGraphs } from "../src/domain/recommendations/rebuild-graphs.ts";
import { refreshNeighbours } from "../src/domain/recommendations/refresh-neighbours.ts";
import {
  outdoorShop,
  pairCount,
  productCount,
  pushOrders,
  react,
  stockShop,
  storeViews,
} from "./recommendation-fixtures.ts";
import { daysAgo, makeContact, makeWorkspace, storeEvent, testNow } from "./segment-fixtures.ts";

const completed = (orderId: string, products: string[]) => ({
  order_id: orderId,
  currency: "EUR",
  total: 10 * products.length,
  products: products.map((product_id) => ({ product_id, name: product_id, price: 10 })),
});

async function graphSnapshot(workspaceId: string) {
  const [pairs, counts] = await Promise.all([
    db().recommendationPair.findMany({
      where: { workspaceId },
      select: { graph: true, productId: true, otherId: true, count: true },
      orderBy: [{ graph: "asc" }, { productId: "asc" }, { otherId: "asc" }],
    }),
    db().recommendationProductCount.findMany({
      where: { workspaceId },
      select: { graph: true, productId: true, count: true },
      orderBy: [{ graph: "asc" }, { productId: "asc" }],
    }),
  ]);
  return { pairs, counts };
}

const neighboursOf = (workspaceId: string, graph: "PURCHASE" | "VIEW", productId: string) =>
  db()
    .recommendationNeighbour.findMany({
      where: { workspaceId, graph, productId },
      orderBy: [{ score: "desc" }, { neighbourId: "asc" }],
    })
    .then((rows) => rows.map((row) => row.neighbourId));

describe("the co-purchase graph", () => {
  it("counts each order once from process_event, however often the job and the fold run", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await stockShop(workspace.id, outdoorShop);
    const events = [
      await storeEvent(
        workspace.id,
        ada.id,
        "Order Completed",
        completed("1", ["tent", "sleeping-bag", "gas"]),
        daysAgo(3),
      ),
      await storeEvent(
        workspace.id,
        ada.id,
        "Order Completed",
        completed("2", ["tent", "sleeping-bag"]),
        daysAgo(2),
      ),
    ];
    await react(events);
    await react(events); // retried jobs
    expect(await foldContributions()).toBe(2);
    await react(events); // a retry after the fold
    expect(await foldContributions()).toBe(0);
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "sleeping-bag")).toBe(2);
    expect(await pairCount(workspace.id, "PURCHASE", "sleeping-bag", "tent")).toBe(2);
    expect(await pairCount(workspace.id, "PURCHASE", "gas", "tent")).toBe(1);
    expect(await productCount(workspace.id, "PURCHASE", "tent")).toBe(2);
    expect(await productCount(workspace.id, "PURCHASE", "gas")).toBe(1);
    expect(await refreshNeighbours()).toBeGreaterThanOrEqual(3);
    // gas was bought with the tent once: under the minimum support of 2.
    expect(await neighboursOf(workspace.id, "PURCHASE", "tent")).toEqual(["sleeping-bag"]);
    const before = await graphSnapshot(workspace.id);
    await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    expect(await graphSnapshot(workspace.id)).toEqual(before);
  });

  it("adds recent orders the backend pushed at the next fold, once, and leaves backfills to the rebuild", async () => {
    const workspace = await makeWorkspace();
    await pushOrders(workspace.id, [
      { products: ["tent", "lamp"], daysAgo: 1 },
      { products: ["tent", "lamp"], daysAgo: 2 },
      { products: ["tent", "lamp"], daysAgo: 40 },
    ]);
    expect(await foldContributions({ now: testNow })).toBe(2);
    expect(await foldContributions({ now: testNow })).toBe(0);
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "lamp")).toBe(2);
    await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "lamp")).toBe(3);
    expect(await foldContributions({ now: testNow })).toBe(0);
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "lamp")).toBe(3);
  });

  it("takes only the first 50 distinct products of a very large basket", async () => {
    const workspace = await makeWorkspace();
    const products = Array.from({ length: 80 }, (_, i) => `item-${String(i).padStart(2, "0")}`);
    await pushOrders(workspace.id, [{ products: [...products, "item-00"] }]);
    await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    const pairs = await db().recommendationPair.count({ where: { workspaceId: workspace.id } });
    expect(pairs).toBe(50 * 49);
    expect(await productCount(workspace.id, "PURCHASE", "item-49")).toBe(1);
    expect(await productCount(workspace.id, "PURCHASE", "item-50")).toBe(0);
  });

  it("drops cancelled and refunded orders at the rebuild, and counts backend orders", async () => {
    const workspace = await makeWorkspace();
    await pushOrders(workspace.id, [
      { products: ["tent", "sleeping-bag"] },
      { products: ["tent", "sleeping-bag"] },
      { products: ["tent", "sleeping-bag"], status: "CANCELLED" },
      { products: ["stove", "gas"] },
    ]);
    const [refunded] = await pushOrders(workspace.id, [{ products: ["tent", "sleeping-bag"] }]);
    await db().order.updateMany({
      where: { workspaceId: workspace.id, shopOrderId: refunded ?? "" },
      data: { status: "REFUNDED" },
    });
    const rebuild = await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    expect(rebuild).toMatchObject({ orders: 3, views: 0 });
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "sleeping-bag")).toBe(2);
    expect(await productCount(workspace.id, "PURCHASE", "tent")).toBe(2);
    expect(await neighboursOf(workspace.id, "PURCHASE", "tent")).toEqual(["sleeping-bag"]);
  });

  it("takes a cancelled or refunded order back at the next fold, once, as the rebuild would", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await stockShop(workspace.id, outdoorShop);
    const placed = [];
    for (const id of ["1", "2", "3"]) {
      placed.push(
        await storeEvent(
          workspace.id,
          ada.id,
          "Order Completed",
          completed(id, ["tent", "sleeping-bag"]),
          daysAgo(3),
        ),
      );
    }
    await react(placed);
    const [pushed] = await pushOrders(workspace.id, [
      { products: ["tent", "sleeping-bag"], daysAgo: 1 },
    ]);
    await foldContributions({ now: testNow });
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "sleeping-bag")).toBe(4);

    // One cancelled by an event, one refunded by an event, the pushed one cancelled by the backend.
    const cancelled = await storeEvent(
      workspace.id,
      ada.id,
      "Order Cancelled",
      { order_id: "1" },
      daysAgo(1),
    );
    const refunded = await storeEvent(
      workspace.id,
      ada.id,
      "Order Refunded",
      { order_id: "2", currency: "EUR", total: 20 },
      daysAgo(1),
    );
    await react([cancelled, refunded]);
    await react([cancelled, refunded]); // retried jobs take nothing back twice
    await db().order.updateMany({
      where: { workspaceId: workspace.id, shopOrderId: pushed ?? "" },
      data: { status: "CANCELLED", statusAt: daysAgo(0.5) },
    });
    expect(await foldContributions({ now: testNow })).toBe(3);
    expect(await foldContributions({ now: testNow })).toBe(0);
    expect(await pairCount(workspace.id, "PURCHASE", "tent", "sleeping-bag")).toBe(1);
    expect(await productCount(workspace.id, "PURCHASE", "tent")).toBe(1);
    await refreshNeighbours();
    // One order left: under the minimum support of 2, the sleeping bag is no neighbour any more.
    expect(await neighboursOf(workspace.id, "PURCHASE", "tent")).toEqual([]);
    const folded = await graphSnapshot(workspace.id);
    await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    const rebuilt = await graphSnapshot(workspace.id);
    // The rebuild holds the same counts; the fold keeps zeros where the rebuild has no row.
    const nonZero = <T extends { count: number }>(rows: T[]) => rows.filter((row) => row.count > 0);
    expect({ pairs: nonZero(folded.pairs), counts: nonZero(folded.counts) }).toEqual(rebuilt);
  });

  it("ranks by cosine: a well-supported complement before a rare product that lift would favour", async () => {
    const workspace = await makeWorkspace();
    await pushOrders(workspace.id, [
      ...Array.from({ length: 40 }, () => ({ products: ["tent", "sleeping-bag"] })),
      ...Array.from({ length: 10 }, () => ({ products: ["tent"] })),
      ...Array.from({ length: 5 }, () => ({ products: ["sleeping-bag"] })),
      ...Array.from({ length: 2 }, () => ({ products: ["tent", "rare-thing"] })),
      { products: ["tent", "once-thing"] },
    ]);
    await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    const ranked = await db().recommendationNeighbour.findMany({
      where: { workspaceId: workspace.id, graph: "PURCHASE", productId: "tent" },
      orderBy: { score: "desc" },
    });
    expect(ranked.map((row) => row.neighbourId)).toEqual(["sleeping-bag", "rare-thing"]);
    // cosine: 40 / sqrt(52 × 45) beats 2 / sqrt(52 × 2); lift (n·co / (na·nb)) would not.
    expect(ranked[0]?.score).toBeCloseTo(40 / Math.sqrt(53 * 45), 6);
    expect(ranked[1]?.score).toBeCloseTo(2 / Math.sqrt(53 * 2), 6);
    const orders = 58;
    const lift = (co: number, a: number, b: number) => (orders * co) / (a * b);
    expect(lift(2, 53, 2)).toBeGreaterThan(lift(40, 53, 45));
  });
});

describe("the co-view graph", () => {
  it("pairs products viewed in one session, cut at 30 minutes, per contact or anonymous id", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const start = daysAgo(1);
    const adaViews = [
      ...(await storeViews(
        workspace.id,
        { contactId: ada.id },
        ["tent", "tent-ultralight", "tent"],
        start,
        10,
      )),
      // 40 minutes after the last view: a new session.
      ...(await storeViews(
        workspace.id,
        { contactId: ada.id },
        ["tent-palace", "tent-ultralight"],
        new Date(start.getTime() + 60 * 60_000),
        29,
      )),
    ];
    const anonymous = await storeViews(
      workspace.id,
      { anonymousId: "anon-1" },
      ["tent", "tent-ultralight"],
      start,
      5,
    );
    await react([...adaViews, ...anonymous]);
    await react(adaViews); // retried jobs
    await foldContributions();
    expect(await pairCount(workspace.id, "VIEW", "tent", "tent-ultralight")).toBe(2);
    expect(await pairCount(workspace.id, "VIEW", "tent-ultralight", "tent")).toBe(2);
    expect(await pairCount(workspace.id, "VIEW", "tent-palace", "tent-ultralight")).toBe(1);
    expect(await pairCount(workspace.id, "VIEW", "tent", "tent-palace")).toBe(0);
    expect(await productCount(workspace.id, "VIEW", "tent")).toBe(2);
    expect(await productCount(workspace.id, "VIEW", "tent-ultralight")).toBe(3);
    const incremental = await graphSnapshot(workspace.id);
    const rebuild = await rebuildRecommendationGraphs(workspace.id, { now: testNow });
    expect(rebuild.views).toBe(6);
    expect(await graphSnapshot(workspace.id)).toEqual(incremental);
  });

  it("keeps one workspace's signals out of another's graphs", async () => {
    const [north, south] = [await makeWorkspace("North"), await makeWorkspace("South")];
    await pushOrders(north.id, [
      { products: ["tent", "sleeping-bag"] },
      { products: ["tent", "sleeping-bag"] },
    ]);
    await pushOrders(south.id, [{ products: ["tent", "lamp"] }, { products: ["tent", "lamp"] }]);
    await rebuildRecommendationGraphs(north.id, { now: testNow });
    await rebuildRecommendationGraphs(south.id, { now: testNow });
    expect(await neighboursOf(north.id, "PURCHASE", "tent")).toEqual(["sleeping-bag"]);
    expect(await neighboursOf(south.id, "PURCHASE", "tent")).toEqual(["lamp"]);
    await rebuildRecommendationGraphs(north.id, { now: testNow });
    expect(await neighboursOf(south.id, "PURCHASE", "tent")).toEqual(["lamp"]);
  });
});
