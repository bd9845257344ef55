import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestWorkspace>>;
let other: Awaited<ReturnType<typeof createTestWorkspace>>;
beforeEach(async () => {
  shop = await createTestWorkspace(api);
  other = await createTestWorkspace(api);
});

const upsert = `mutation($input: UpsertProductsInput!) {
  upsertProducts(input: $input) {
    __typename
    ... on MutationUpsertProductsSuccess { result { createdCount updatedCount rows { index id productId created filledStub } } }
    ... on InvalidInputError { message problems { path message } }
    ... on ForbiddenError { message }
  }
}`;
const archive = `mutation($ids: [String!]!) {
  archiveProducts(input: { productIds: $ids }) {
    __typename
    ... on MutationArchiveProductsSuccess { result { archivedIds unknownProductIds } }
    ... on ForbiddenError { message }
  }
}`;
const list = `query($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { productId } }
  }
}`;

const catalog = [
  {
    productId: "w-shirt",
    title: "Linen shirt",
    brand: "Nordlys",
    price: 49.9,
    category: "Women > Shirts",
  },
  { productId: "w-blouse", title: "Silk blouse", price: 89, category: "Women > Shirts > Silk" },
  {
    productId: "w-coat",
    title: "Wool coat",
    price: 249,
    category: "Women > Coats",
    inStock: false,
  },
  { productId: "ww-hat", title: "Hat", price: 25, category: "Womenswear" },
  { productId: "m-shirt", title: "Oxford shirt", sku: "OX-1", price: 59, category: "Men > Shirts" },
  { productId: "m-draft", title: "Draft thing", price: 10, status: "DRAFT" },
];

async function products(key: string, filter: Record<string, unknown>, first = 50, after?: string) {
  const { products } = await api.data(list, { filter, first, after }, key);
  return products;
}
/** Product ids in the connection's order: oldest first, one batch's products by product id. */
const ids = (connection: { edges: { node: { productId: string } }[] }) =>
  connection.edges.map((edge) => edge.node.productId);

describe("the catalog over GraphQL", () => {
  it("upserts products, returning typed per-row problems for a bad batch", async () => {
    const created = await api.data(upsert, { input: { products: catalog } }, shop.secretKey);
    expect(created.upsertProducts.result.createdCount).toBe(6);
    const refused = await api.data(
      upsert,
      {
        input: {
          products: [
            { productId: "w-shirt", price: 10 },
            { productId: "new", price: 10.001 },
          ],
        },
      },
      shop.secretKey,
    );
    expect(refused.upsertProducts).toEqual({
      __typename: "InvalidInputError",
      message: "1 of 2 products are invalid; nothing was written",
      problems: [
        { path: ["products", "1", "price"], message: "has more decimals than USD allows (2)" },
        { path: ["products", "1", "title"], message: "a new product needs a title" },
      ],
    });
    const { productByShopId } = await api.data(
      `{ productByShopId(productId: "w-shirt") { id title price { minorUnits amount currency } category stub variants { variantId } } }`,
      {},
      shop.secretKey,
    );
    expect(productByShopId).toMatchObject({
      title: "Linen shirt",
      price: { minorUnits: 4990, amount: "49.90", currency: "USD" },
      stub: false,
      variants: [],
    });
    const { product, node } = await api.data(
      `query($id: ID!) { product(id: $id) { productId } node(id: $id) { ... on Product { title } } }`,
      { id: productByShopId.id },
      shop.secretKey,
    );
    expect(product).toEqual({ productId: "w-shirt" });
    expect(node).toEqual({ title: "Linen shirt" });
  });

  it("filters by search, category prefix, stock, price range and status, and pages", async () => {
    await api.data(upsert, { input: { products: catalog } }, shop.secretKey);
    const key = shop.secretKey;
    expect(ids(await products(key, { search: "SHIRT" }))).toEqual(["m-shirt", "w-shirt"]);
    expect(ids(await products(key, { search: "OX-1" }))).toEqual(["m-shirt"]);
    expect(ids(await products(key, { search: "nordlys" }))).toEqual(["w-shirt"]);
    expect(ids(await products(key, { category: "Women" }))).toEqual([
      "w-blouse",
      "w-coat",
      "w-shirt",
    ]);
    expect(ids(await products(key, { category: "Women > Shirts" }))).toEqual([
      "w-blouse",
      "w-shirt",
    ]);
    expect(ids(await products(key, { category: "Women", inStock: true }))).toEqual([
      "w-blouse",
      "w-shirt",
    ]);
    expect(ids(await products(key, { priceRange: { min: 49.9, max: 89 } }))).toEqual([
      "m-shirt",
      "w-blouse",
      "w-shirt",
    ]);
    expect(ids(await products(key, { priceRange: { min: 1, currency: "EUR" } }))).toEqual([]);
    expect(ids(await products(key, { status: ["DRAFT"] }))).toEqual(["m-draft"]);

    const firstPage = await products(key, {}, 4);
    expect(firstPage.totalCount).toBe(6);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const secondPage = await products(key, {}, 4, firstPage.pageInfo.endCursor);
    expect([...ids(firstPage), ...ids(secondPage)]).toEqual(
      catalog.map((row) => row.productId).sort(),
    );
    expect(secondPage.pageInfo.hasNextPage).toBe(false);
  });

  it("archives by the shop's ids", async () => {
    await api.data(upsert, { input: { products: catalog } }, shop.secretKey);
    const { archiveProducts } = await api.data(
      archive,
      { ids: ["w-coat", "nope"] },
      shop.secretKey,
    );
    expect(archiveProducts.result.archivedIds).toHaveLength(1);
    expect(archiveProducts.result.unknownProductIds).toEqual(["nope"]);
    expect(ids(await products(shop.secretKey, { status: ["ARCHIVED"] }))).toEqual(["w-coat"]);
  });

  it("refuses writes with a public key or a key without catalog:write", async () => {
    const readOnly = await shop.makeKey("SECRET", ["CATALOG_READ"]);
    for (const key of [shop.publicKey, readOnly.key]) {
      const { upsertProducts } = await api.data(upsert, { input: { products: catalog } }, key);
      expect(upsertProducts.__typename).toBe("ForbiddenError");
      const { archiveProducts } = await api.data(archive, { ids: ["w-coat"] }, key);
      expect(archiveProducts.__typename).toBe("ForbiddenError");
    }
    const read = await api.request(list, {}, shop.publicKey);
    expect(read.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await products(readOnly.key, {})).totalCount).toBe(0);
  });

  it("never shows or changes one workspace's products to another's key", async () => {
    const { upsertProducts } = await api.data(
      upsert,
      { input: { products: catalog } },
      shop.secretKey,
    );
    const shirtId = upsertProducts.result.rows[0].id;
    const seen = await api.data(
      `query($id: ID!) {
        product(id: $id) { id } node(id: $id) { id } productByShopId(productId: "w-shirt") { id }
        products { totalCount }
      }`,
      { id: shirtId },
      other.secretKey,
    );
    expect(seen).toEqual({
      product: null,
      node: null,
      productByShopId: null,
      products: { totalCount: 0 },
    });
    const theirs = await api.data(
      upsert,
      { input: { products: [{ productId: "w-shirt", title: "Theirs", price: 1 }] } },
      other.secretKey,
    );
    expect(theirs.upsertProducts.result.rows[0]).toMatchObject({ created: true });
    expect(theirs.upsertProducts.result.rows[0].id).not.toBe(shirtId);
    const archived = await api.data(archive, { ids: ["w-coat"] }, other.secretKey);
    expect(archived.archiveProducts.result.unknownProductIds).toEqual(["w-coat"]);
    const { productByShopId } = await api.data(
      `{ productByShopId(productId: "w-shirt") { title price { amount } } }`,
      {},
      shop.secretKey,
    );
    expect(productByShopId).toEqual({ title: "Linen shirt", price: { amount: "49.90" } });
    expect(ids(await products(shop.secretKey, { status: ["ACTIVE"], inStock: false }))).toEqual([
      "w-coat",
    ]);
  });
});
