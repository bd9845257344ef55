import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { installTemplateLibrary } from "../src/domain/email-templates/template-library.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { rebuildRecommendationGraphs } from "../src/domain/recommendations/rebuild-graphs.ts";
import { outdoorShop, pushOrders, stockShop, storeViews } from "./recommendation-fixtures.ts";
import { daysAgo, makeContact } from "./segment-fixtures.ts";
import { createMailContact } from "./support/email-factories.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
/** The API reads the real clock, so these signals are recent relative to it. */
const recently = (days: number) => daysAgo(days, new Date());
let shop: Awaited<ReturnType<typeof createTestWorkspace>>;
let shopId: string;
beforeEach(async () => {
  shop = await createTestWorkspace(api);
  shopId = decodeGlobalID(shop.workspaceId).id;
  await stockShop(shopId, outdoorShop);
  const repeat = <T>(times: number, item: T): T[] => Array.from({ length: times }, () => item);
  await pushOrders(shopId, [
    ...repeat(6, { products: ["tent", "sleeping-bag"] }),
    ...repeat(3, { products: ["tent", "mat"] }),
    ...repeat(4, { products: ["stove", "gas"] }),
  ]);
  for (let i = 0; i < 4; i++) {
    await storeViews(shopId, { anonymousId: `v-${i}` }, ["tent", "tent-ultralight"], recently(2));
  }
  await rebuildRecommendationGraphs(shopId);
});

const query = `query($strategy: RecommendationStrategy!, $productIds: [String!], $contactId: ID, $cartId: String, $orderId: String, $limit: Int, $filter: RecommendationFilter) {
  recommendations(strategy: $strategy, productIds: $productIds, contactId: $contactId, cartId: $cartId, orderId: $orderId, limit: $limit, filter: $filter) {
    __typename
    ... on QueryRecommendationsSuccess { data { strategy items { strategy score product { productId title price { amount currency } } } } }
    ... on InvalidInputError { message problems { path message } }
    ... on NotFoundError { message entity }
  }
}`;

async function recommendations(variables: Record<string, unknown>, key = shop.secretKey) {
  const { recommendations } = await api.data(query, variables, key);
  return recommendations;
}

describe("recommendations over GraphQL", () => {
  it("answers each strategy with the strategy behind each product and its score", async () => {
    const together = await recommendations({
      strategy: "FREQUENTLY_BOUGHT_TOGETHER",
      productIds: ["tent"],
      limit: 3,
    });
    expect(together.__typename).toBe("QueryRecommendationsSuccess");
    expect(together.data.strategy).toBe("FREQUENTLY_BOUGHT_TOGETHER");
    expect(
      together.data.items.map((item: { strategy: string; product: { productId: string } }) => [
        item.product.productId,
        item.strategy,
      ]),
    ).toEqual([
      ["sleeping-bag", "FREQUENTLY_BOUGHT_TOGETHER"],
      ["mat", "FREQUENTLY_BOUGHT_TOGETHER"],
      // Filled from the shop's bestsellers: gas and the stove tie at 4 orders.
      ["gas", "BESTSELLERS"],
    ]);
    expect(together.data.items[0].score).toBeCloseTo(6 / Math.sqrt(9 * 6), 6);
    expect(together.data.items[0].product).toMatchObject({
      title: "The sleeping-bag",
      price: { amount: "80.00", currency: "USD" },
    });
    const upsell = await recommendations({ strategy: "UPSELL", productIds: ["tent"], limit: 1 });
    expect(upsell.data.items[0].product.productId).toBe("tent-ultralight");
    const kitchen = await recommendations({
      strategy: "BESTSELLERS",
      limit: 2,
      filter: { category: "Camping > Kitchen", priceRange: { max: 10 } },
    });
    expect(
      kitchen.data.items.map((item: { product: { productId: string } }) => item.product.productId),
    ).toEqual(["gas"]);
  });

  it("personalises by contact id and refuses bad requests with typed errors", async () => {
    const ada = await makeContact(shopId);
    await storeViews(shopId, { contactId: ada.id }, ["stove"], recently(1));
    const contactId = encodeGlobalID("Contact", ada.id);
    const forYou = await recommendations({ strategy: "FOR_YOU", contactId, limit: 1 });
    expect(forYou.data.items[0]).toMatchObject({
      strategy: "FOR_YOU",
      product: { productId: "gas" },
    });

    expect(await recommendations({ strategy: "CROSS_SELL" })).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["orderId"], message: "cross_sell needs orderId or contactId" }],
    });
    expect(await recommendations({ strategy: "BESTSELLERS", limit: 0 })).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["limit"] }],
    });
    expect(await recommendations({ strategy: "BESTSELLERS", limit: 51 })).toMatchObject({
      __typename: "InvalidInputError",
    });
    expect(await recommendations({ strategy: "UPSELL", productIds: ["nope"] })).toMatchObject({
      __typename: "NotFoundError",
      entity: "Product",
    });
    expect(await recommendations({ strategy: "CROSS_SELL", orderId: "nope" })).toMatchObject({
      __typename: "NotFoundError",
      entity: "Order",
    });
    expect(
      await recommendations({ strategy: "FREQUENTLY_BOUGHT_TOGETHER", cartId: "nope" }),
    ).toMatchObject({
      __typename: "NotFoundError",
      entity: "Cart",
    });
    expect(await recommendations({ strategy: "FOR_YOU", contactId: "bad" })).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["contactId"] }],
    });
  });

  it("keeps workspaces apart and needs the recommendations:read scope", async () => {
    const other = await createTestWorkspace(api);
    const ada = await makeContact(shopId);
    expect(
      await recommendations(
        { strategy: "FOR_YOU", contactId: encodeGlobalID("Contact", ada.id) },
        other.secretKey,
      ),
    ).toMatchObject({ __typename: "NotFoundError", entity: "Contact" });
    expect(await recommendations({ strategy: "BESTSELLERS" }, other.secretKey)).toMatchObject({
      data: { items: [] },
    });
    const catalogOnly = await shop.makeKey("SECRET", ["CATALOG_READ"]);
    const refused = await api.request(query, { strategy: "BESTSELLERS" }, catalogOnly.key);
    expect(refused.errors?.[0]?.message).toBe("This key is not allowed to do that.");
    const scoped = await shop.makeKey("SECRET", ["RECOMMENDATIONS_READ", "CATALOG_READ"]);
    const allowed = await recommendations({ strategy: "BESTSELLERS", limit: 1 }, scoped.key);
    expect(allowed.data.items[0].product.productId).toBe("tent");
  });
  it("binds sendEmail's blocks when the mail is queued, from its products and the contact", async () => {
    await updateEmailSettings(shopId, {
      shopName: "Outdoors",
      postalAddress: "1 Trail Rd",
      fromEmail: "hello@outdoors.example",
      currency: "EUR",
    });
    const {
      templates: [crossSell],
    } = await installTemplateLibrary(shopId, { keys: ["post-purchase-cross-sell"] });
    const contact = await createMailContact(shopId);
    const order = {
      number: "A-1",
      currency: "EUR",
      total: 10000,
      items: [{ name: "The tent", price: 10000, quantity: 1 }],
    };
    const send = async (input: Record<string, unknown>) => {
      const { sendEmail } = await api.data(
        `mutation($input: SendEmailInput!) { sendEmail(input: $input) {
          __typename
          ... on MutationSendEmailSuccess { result { created message { id } } }
          ... on InvalidInputError { problems { path message } }
        } }`,
        {
          input: {
            templateId: encodeGlobalID("Template", crossSell?.id ?? ""),
            contactId: encodeGlobalID("Contact", contact.id),
            ...input,
            data: { order, ...(input.data as object) },
          },
        },
        shop.secretKey,
      );
      return sendEmail;
    };
    const dataOf = async (globalId: string) =>
      (
        await db().message.findFirstOrThrow({
          where: { id: decodeGlobalID(globalId).id, workspaceId: shopId },
        })
      ).data as {
        coupon?: string;
        recommendations: Record<string, { id: string; strategy: string }[]>;
      };

    const sent = await send({
      idempotencyKey: "thanks-1",
      data: { coupon: "THANKS10", recommendations: { picked: [{ id: "gas" }] } },
      recommendations: [{ block: "cross_sell", strategy: "FREQUENTLY_BOUGHT_TOGETHER", limit: 2 }],
      recommendFrom: { productIds: ["tent"] },
    });
    expect(sent).toMatchObject({ __typename: "MutationSendEmailSuccess" });
    const data = await dataOf(sent.result.message.id);
    expect(data.coupon).toBe("THANKS10");
    expect(data.recommendations.picked).toEqual([{ id: "gas" }]);
    expect(data.recommendations.cross_sell?.map((p) => [p.id, p.strategy])).toEqual([
      ["sleeping-bag", "frequently_bought_together"],
      ["mat", "frequently_bought_together"],
    ]);

    // The same key: the first message, its blocks as they were, nothing chosen again.
    const again = await send({
      idempotencyKey: "thanks-1",
      recommendations: [{ block: "cross_sell", strategy: "BESTSELLERS" }],
    });
    expect(again.result).toEqual({ created: false, message: { id: sent.result.message.id } });

    // An anchor the shop does not have is left out: the block falls back to bestsellers.
    const unknown = await send({
      idempotencyKey: "thanks-2",
      recommendations: [{ block: "cross_sell", strategy: "FREQUENTLY_BOUGHT_TOGETHER", limit: 1 }],
      recommendFrom: { productIds: ["no-such-product"] },
    });
    expect((await dataOf(unknown.result.message.id)).recommendations.cross_sell).toEqual([
      expect.objectContaining({ strategy: "bestsellers" }),
    ]);

    const before = await db().message.count({ where: { workspaceId: shopId } });
    const refused = [
      await send({ idempotencyKey: "bad-1", recommendations: [{ strategy: "UPSELL" }] }),
      await send({
        idempotencyKey: "bad-2",
        recommendations: [
          { block: "x", strategy: "UPSELL" },
          { block: "x", strategy: "BESTSELLERS" },
        ],
      }),
      await send({
        idempotencyKey: "bad-3",
        data: { recommendations: { x: [{ id: "gas" }] } },
        recommendations: [{ block: "x", strategy: "BESTSELLERS" }],
      }),
      await send({
        idempotencyKey: "bad-4",
        recommendations: [{ block: "x", strategy: "BESTSELLERS", limit: 40 }],
      }),
    ];
    expect(refused.map((r) => [r.__typename, r.problems?.[0]?.path])).toEqual([
      ["InvalidInputError", ["recommendations", "0", "block"]],
      ["InvalidInputError", ["recommendations"]],
      ["InvalidInputError", ["data", "recommendations", "x"]],
      ["InvalidInputError", ["recommendations", "0", "limit"]],
    ]);
    expect(await db().message.count({ where: { workspaceId: shopId } })).toBe(before);
  });
});
