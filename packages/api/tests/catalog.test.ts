import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { archiveProducts } from "../src/domain/catalog/archive-products.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { makeContact, makeWorkspace, storeEvent } from "./segment-fixtures.ts";

const product = (workspaceId: string, shopProductId: string) =>
  db().product.findUniqueOrThrow({
    where: { workspaceId_shopProductId: { workspaceId, shopProductId } },
    include: { variants: { orderBy: { position: "asc" } } },
  });

async function refusal(work: Promise<unknown>): Promise<InvalidInputError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe("upsertProducts", () => {
  it("inserts new products and updates known ones, keeping fields left out and clearing nulls", async () => {
    const workspace = await makeWorkspace();
    const first = await upsertProducts(workspace.id, [
      {
        productId: "shirt-1",
        title: "Linen shirt",
        sku: "LS-1",
        price: 49.9,
        compareAtPrice: 59,
        category: " Women >Shirts ",
        brand: "Nordlys",
        tags: ["linen", "summer", "linen"],
        inventoryQuantity: 12,
        url: "https://shop.example/p/shirt-1",
        replenishmentDays: 90,
        properties: { material: "linen", fit: "loose" },
      },
      { productId: "mug-1", title: "Mug", price: 12, currency: "EUR" },
    ]);
    expect(first.map(({ index, productId, created }) => ({ index, productId, created }))).toEqual([
      { index: 0, productId: "shirt-1", created: true },
      { index: 1, productId: "mug-1", created: true },
    ]);
    const stored = await product(workspace.id, "shirt-1");
    expect(stored).toMatchObject({
      id: first[0]?.id,
      title: "Linen shirt",
      currency: "USD",
      price: 4990n,
      compareAtPrice: 5900n,
      category: "Women > Shirts",
      tags: ["linen", "summer"],
      inventoryQuantity: 12,
      inStock: true,
      status: "ACTIVE",
      stub: false,
    });
    expect((await product(workspace.id, "mug-1")).currency).toBe("EUR");

    const second = await upsertProducts(workspace.id, [
      { productId: "shirt-1", price: 39, brand: null, properties: { fit: null, care: "30°" } },
    ]);
    expect(second[0]).toMatchObject({ id: first[0]?.id, created: false });
    expect(await product(workspace.id, "shirt-1")).toMatchObject({
      title: "Linen shirt",
      sku: "LS-1",
      price: 3900n,
      compareAtPrice: 5900n,
      brand: null,
      category: "Women > Shirts",
      properties: { material: "linen", care: "30°" },
    });
  });

  it("refuses the whole batch when any row is bad, naming each bad row, and writes nothing", async () => {
    const workspace = await makeWorkspace();
    await upsertProducts(workspace.id, [{ productId: "known", title: "Known", price: 10 }]);
    const error = await refusal(
      upsertProducts(workspace.id, [
        { productId: "good", title: "Good", price: 5 },
        { productId: "", title: "No id", price: -1 },
        { productId: "good", title: "Again" },
        { productId: "bad-url", title: "Bad url", url: "javascript:alert(1)" },
        { productId: "no-title", price: 5 },
        { productId: "known", title: null },
      ]),
    );
    expect(error.problems).toEqual([
      { path: ["products", "1", "productId"], message: "must not be empty" },
      { path: ["products", "1", "price"], message: "must not be negative" },
      { path: ["products", "2", "productId"], message: "repeats row 0" },
      { path: ["products", "3", "url"], message: "must be an http(s) URL" },
    ]);
    expect(error.message).toBe("3 of 6 products are invalid; nothing was written");

    // Problems found against stored rows (titles, the currency's decimals) refuse the batch too.
    const second = await refusal(
      upsertProducts(workspace.id, [
        { productId: "good", title: "Good", price: 5 },
        { productId: "no-title", price: 5 },
        { productId: "known", title: null },
        { productId: "yen", title: "Yen", currency: "JPY", price: 5.5 },
        { productId: "cents", title: "Cents", price: 1.999 },
      ]),
    );
    expect(second.problems).toEqual([
      { path: ["products", "1", "title"], message: "a new product needs a title" },
      { path: ["products", "2", "title"], message: "a product keeps a title" },
      { path: ["products", "3", "price"], message: "has more decimals than JPY allows (0)" },
      { path: ["products", "4", "price"], message: "has more decimals than USD allows (2)" },
    ]);
    const stored = await db().product.findMany({ where: { workspaceId: workspace.id } });
    expect(stored.map((row) => row.shopProductId)).toEqual(["known"]);
  });

  it("takes at most 1,000 products per call and says so", async () => {
    const workspace = await makeWorkspace();
    const rows = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        productId: `p-${index}`,
        title: `Product ${index}`,
        price: index / 100,
      }));
    const error = await refusal(upsertProducts(workspace.id, rows(1001)));
    expect(error.problems).toEqual([
      {
        path: ["products"],
        message: "at most 1,000 products per call; split the catalog into batches",
      },
    ]);
    expect(await db().product.count({ where: { workspaceId: workspace.id } })).toBe(0);
    const written = await upsertProducts(workspace.id, rows(1000));
    expect(written.filter((row) => row.created)).toHaveLength(1000);
    expect((await product(workspace.id, "p-999")).price).toBe(999n);
    await expect(upsertProducts(workspace.id, [])).rejects.toThrow("give at least one product");
  });

  it("replaces a product's variants when it lists them, and derives stock from them", async () => {
    const workspace = await makeWorkspace();
    const variant = (variantId: string, inventoryQuantity: number, price = 49) => ({
      variantId,
      title: variantId.toUpperCase(),
      price,
      inventoryQuantity,
    });
    await upsertProducts(workspace.id, [
      {
        productId: "tee",
        title: "Tee",
        variants: [variant("s", 0), variant("m", 3), variant("l", 2)],
      },
    ]);
    expect(await product(workspace.id, "tee")).toMatchObject({
      inStock: true,
      inventoryQuantity: 5,
    });
    await upsertProducts(workspace.id, [
      { productId: "tee", variants: [variant("m", 0, 45), variant("xl", 0)] },
    ]);
    const tee = await product(workspace.id, "tee");
    expect(tee).toMatchObject({ inStock: false, inventoryQuantity: 0 });
    expect(tee.variants.map((v) => [v.shopVariantId, v.price, v.inStock])).toEqual([
      ["m", 4500n, false],
      ["xl", 4900n, false],
    ]);
    await upsertProducts(workspace.id, [{ productId: "tee", title: "Tee (new)" }]);
    expect((await product(workspace.id, "tee")).variants).toHaveLength(2);
    const repeated = await refusal(
      upsertProducts(workspace.id, [
        { productId: "tee", variants: [variant("m", 1), variant("m", 2)] },
      ]),
    );
    expect(repeated.problems).toEqual([
      { path: ["products", "0", "variants", "1", "variantId"], message: "repeats variant 0" },
    ]);
  });
});

describe("archiveProducts", () => {
  it("archives by the shop's ids, lists unknown ids, and is harmless twice", async () => {
    const workspace = await makeWorkspace();
    const other = await makeWorkspace("Other");
    const [kept, gone] = await upsertProducts(workspace.id, [
      { productId: "kept", title: "Kept" },
      { productId: "gone", title: "Gone" },
    ]);
    await upsertProducts(other.id, [{ productId: "theirs", title: "Theirs" }]);
    const archived = await archiveProducts(workspace.id, ["gone", "theirs", "never"]);
    expect(archived).toEqual({ archivedIds: [gone?.id], unknownProductIds: ["theirs", "never"] });
    expect(await archiveProducts(workspace.id, ["gone"])).toEqual({
      archivedIds: [gone?.id],
      unknownProductIds: [],
    });
    expect((await product(workspace.id, "gone")).status).toBe("ARCHIVED");
    expect((await product(workspace.id, "kept")).status).toBe("ACTIVE");
    expect(kept?.id).toBeDefined();
    expect((await product(other.id, "theirs")).status).toBe("ACTIVE");
    await expect(archiveProducts(workspace.id, [])).rejects.toThrow("give at least one product id");
  });
});

describe("stub products from events", () => {
  it("makes a stub from a Product Viewed for an unknown product, filled in by the catalog sync", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const viewed = await storeEvent(workspace.id, ada.id, "Product Viewed", {
      product_id: "sneaker-9",
      name: "Runner 9",
      price: 89.5,
      currency: "EUR",
      url: "https://shop.example/p/sneaker-9",
      image_url: "javascript:alert(1)",
      category: "Men>Shoes",
    });
    const reaction = await reactToEvent(viewed);
    expect(reaction?.shopping).toEqual({
      productStubs: 1,
      orderId: null,
      cartId: null,
      uncountedOrder: false,
    });
    await reactToEvent(viewed); // a retried job
    expect(await db().product.count({ where: { workspaceId: workspace.id } })).toBe(1);
    expect(await product(workspace.id, "sneaker-9")).toMatchObject({
      stub: true,
      title: "Runner 9",
      price: 8950n,
      currency: "EUR",
      url: "https://shop.example/p/sneaker-9",
      imageUrl: null,
      category: "Men > Shoes",
    });

    const [filled] = await upsertProducts(workspace.id, [
      {
        productId: "sneaker-9",
        title: "Runner 9 (2026)",
        price: 95,
        imageUrl: "https://cdn.example/9.jpg",
      },
    ]);
    expect(filled).toMatchObject({ created: false, filledStub: true });
    const real = await product(workspace.id, "sneaker-9");
    expect(real).toMatchObject({
      stub: false,
      title: "Runner 9 (2026)",
      price: 9500n,
      currency: "EUR",
      category: "Men > Shoes",
      imageUrl: "https://cdn.example/9.jpg",
    });

    // Events never change a catalog product.
    const later = await storeEvent(workspace.id, ada.id, "Product Added", {
      product_id: "sneaker-9",
      name: "Cheap knock-off",
      price: 1,
      brand: "Fake",
    });
    expect((await reactToEvent(later))?.shopping.productStubs).toBe(0);
    expect(await product(workspace.id, "sneaker-9")).toEqual(real);
  });

  it("fills a stub's gaps from later events without overwriting what it holds", async () => {
    const workspace = await makeWorkspace();
    const first = await storeEvent(workspace.id, null, "Product Viewed", { product_id: 77 });
    await reactToEvent(first); // anonymous events make stubs too
    expect(await product(workspace.id, "77")).toMatchObject({
      stub: true,
      title: null,
      price: null,
    });
    const second = await storeEvent(workspace.id, null, "Product Viewed", {
      product_id: 77,
      name: "Seventy-seven",
      price: 7,
    });
    await reactToEvent(second);
    const third = await storeEvent(workspace.id, null, "Product Viewed", {
      product_id: 77,
      name: "Renamed",
      price: 9,
      brand: "Acme",
    });
    await reactToEvent(third);
    expect(await product(workspace.id, "77")).toMatchObject({
      stub: true,
      title: "Seventy-seven",
      price: 700n,
      brand: "Acme",
    });
  });

  it("makes stubs for an Order Completed's unknown products only", async () => {
    const workspace = await makeWorkspace();
    await upsertProducts(workspace.id, [{ productId: "known", title: "Known", price: 20 }]);
    const ada = await makeContact(workspace.id);
    const order = await storeEvent(workspace.id, ada.id, "Order Completed", {
      order_id: "1001",
      total: 35,
      products: [
        { product_id: "known", name: "Renamed by event", price: 1, quantity: 1 },
        { product_id: "new-1", name: "New one", price: 15, quantity: 1 },
        { sku: "SKU-ONLY", name: "By sku", price: 0 },
      ],
    });
    expect((await reactToEvent(order))?.shopping.productStubs).toBe(2);
    const stored = await db().product.findMany({
      where: { workspaceId: workspace.id },
      orderBy: { shopProductId: "asc" },
    });
    expect(stored.map((row) => [row.shopProductId, row.title, row.stub])).toEqual([
      ["SKU-ONLY", "By sku", true],
      ["known", "Known", false],
      ["new-1", "New one", true],
    ]);
  });
});
