import { describe, expect, it } from "vitest";
import { sleep, useBrowser } from "./support/browser";

const shop = useBrowser();

const { eventsNamed, waitForEvents: waitForEvent } = shop;

const shirt = {
  product_id: "p1",
  sku: "SKU-1",
  name: "Shirt",
  price: 25,
  quantity: 1,
  currency: "EUR",
};

describe("snippet and page views", () => {
  it("replays calls queued by the README snippet before the script loaded", async () => {
    await shop.open({
      snippet: true,
      script: `cartwheel.track("Early Bird", { n: 1 }); cartwheel.identify("ann@example.com");`,
    });
    const [early] = await waitForEvent("Early Bird");
    const [identify] = await waitForEvent("Identify");
    expect(early?.properties).toEqual({ n: 1 });
    expect(identify?.userId).toBe("ann@example.com");
    expect(identify?.traits).toEqual({ email: "ann@example.com" });
    const [request] = shop.server.requests;
    expect(request?.contentType).toBe("text/plain;charset=UTF-8");
    expect(request?.body?.writeKey).toBe("pk_test");
    expect(shop.server.requests.some((r) => r.method === "OPTIONS")).toBe(false);
  });

  it("sends a page view on load and on SPA navigation, with the previous page as referrer", async () => {
    const page = await shop.open({ title: "Home" });
    const [home] = await waitForEvent("Page Viewed");
    expect(home?.type).toBe("page");
    expect(home?.properties).toMatchObject({ path: "/", title: "Home", referrer: "" });
    expect(home?.context).toMatchObject({
      page: { path: "/", title: "Home" },
      library: { name: "cartwheel-sdk", version: "0.1.0" },
      locale: expect.any(String),
      timezone: expect.any(String),
    });

    await page.evaluate(() => {
      document.title = "Shoes";
      history.pushState({}, "", "/shoes?color=red");
    });
    await page.evaluate(() => history.replaceState({}, "", "/shoes?color=red"));
    await page.evaluate(() => history.pushState({}, "", "/shoes?color=red#reviews"));
    await page.evaluate(() => history.pushState({}, "", "/boots"));
    await page.goBack();
    const views = await waitForEvent("Page Viewed", 4);
    await sleep(300);
    expect(eventsNamed("Page Viewed").map((view) => view.properties.path)).toEqual([
      "/",
      "/shoes",
      "/boots",
      "/shoes",
    ]);
    expect(views[1]?.properties).toMatchObject({
      title: "Shoes",
      search: "?color=red",
      referrer: `${shop.server.shopUrl}/`,
    });
    expect(views[2]?.properties.referrer).toBe(`${shop.server.shopUrl}/shoes?color=red`);
  });
});

describe("e-commerce", () => {
  it("sends the spec's events with one cart_id per cart, renewed after an order", async () => {
    const page = await shop.open();
    await page.evaluate((product) => {
      cartwheel.productViewed(product);
      cartwheel.productAdded(product);
      cartwheel.track("Product Added", { product_id: "p2", price: 10 });
      cartwheel.productRemoved({ product_id: "p2" });
      cartwheel.cartViewed({ products: [product] });
      cartwheel.checkoutStarted({ products: [product], value: 25, currency: "EUR" });
      cartwheel.orderCompleted({ order_id: "o1", total: 25, revenue: 25, products: [product] });
      cartwheel.productAdded({ ...product, product_id: "p3" });
    }, shirt);
    await waitForEvent("Product Added", 3);
    await waitForEvent("Order Completed");

    const viewed = eventsNamed("Product Viewed")[0];
    expect(viewed?.properties).toEqual(shirt);
    const cartEvents = ["Product Removed", "Cart Viewed", "Checkout Started", "Order Completed"];
    const [firstAdd, secondAdd, afterOrder] = eventsNamed("Product Added");
    const cartId = firstAdd?.properties.cart_id;
    expect(cartId).toEqual(expect.any(String));
    expect(secondAdd?.properties.cart_id).toBe(cartId);
    for (const name of cartEvents) expect(eventsNamed(name)[0]?.properties.cart_id).toBe(cartId);
    expect(eventsNamed("Order Completed")[0]?.properties).toMatchObject({
      order_id: "o1",
      total: 25,
      products: [shirt],
    });
    expect(afterOrder?.properties.cart_id).toEqual(expect.any(String));
    expect(afterOrder?.properties.cart_id).not.toBe(cartId);
    expect(viewed?.properties.cart_id).toBeUndefined();
  });
});

describe("identity", () => {
  it("attaches userId after identify, and reset starts a new anonymous id and cart", async () => {
    const page = await shop.open();
    await page.evaluate(() => {
      cartwheel.productAdded({ product_id: "p1" });
      cartwheel.identify("cust_42", { first_name: "Ann" }, { userHash: "ab".repeat(32) });
      cartwheel.track("After Identify");
      cartwheel.reset();
      cartwheel.productAdded({ product_id: "p2" });
    });
    const [identify] = await waitForEvent("Identify");
    const [afterIdentify] = await waitForEvent("After Identify");
    const [before, afterReset] = await waitForEvent("Product Added", 2);
    expect(identify).toMatchObject({
      type: "identify",
      userId: "cust_42",
      traits: { first_name: "Ann" },
      userHash: "ab".repeat(32),
    });
    expect(afterIdentify?.userId).toBe("cust_42");
    expect(afterIdentify?.userHash).toBeUndefined();
    expect(afterIdentify?.anonymousId).toBe(before?.anonymousId);
    expect(before?.userId).toBeUndefined();
    expect(afterReset?.userId).toBeUndefined();
    expect(afterReset?.anonymousId).not.toBe(before?.anonymousId);
    expect(afterReset?.properties.cart_id).not.toBe(before?.properties.cart_id);
  });

  it("keeps the anonymous id and user id across page loads", async () => {
    const page = await shop.open();
    await page.evaluate(() => cartwheel.identify("ann@example.com"));
    await waitForEvent("Identify");
    await page.reload();
    const views = await waitForEvent("Page Viewed", 2);
    expect(views[1]?.userId).toBe("ann@example.com");
    expect(views[1]?.anonymousId).toBe(views[0]?.anonymousId);
  });
});

describe("consent and privacy", () => {
  it("holds events in memory while consent is pending and sends them once granted", async () => {
    const page = await shop.open({ init: { consent: "pending" } });
    await page.evaluate(() => cartwheel.track("Held"));
    await sleep(500);
    expect(shop.server.requests).toHaveLength(0);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

    await page.evaluate(() => cartwheel.grantConsent());
    await waitForEvent("Held");
    expect(eventsNamed("Page Viewed")).toHaveLength(1);

    await page.evaluate(() => {
      cartwheel.revokeConsent();
      cartwheel.track("After Revoke");
    });
    await sleep(400);
    expect(eventsNamed("After Revoke")).toHaveLength(0);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  });

  it("tracks nothing under Global Privacy Control or Do Not Track when asked to", async () => {
    const optOut = `Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true });`;
    const doNotTrack = `Object.defineProperty(Navigator.prototype, "doNotTrack", { get: () => "1" });`;
    for (const initScript of [optOut, doNotTrack]) {
      const page = await shop.open({ init: { respectDoNotTrack: true }, initScript });
      await page.evaluate(() => cartwheel.track("Opted Out"));
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    }
    await sleep(500);
    expect(shop.server.requests).toHaveLength(0);

    const page = await shop.open({ init: { respectDoNotTrack: false }, initScript: optOut });
    await page.evaluate(() => cartwheel.track("Not Asked To Respect"));
    await waitForEvent("Not Asked To Respect");
  });

  it("does not track bots, HeadlessChrome included, unless the pattern is overridden", async () => {
    await shop.open({}, { userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1)" });
    await shop.open({}, { userAgent: "Mozilla/5.0 HeadlessChrome/130.0.0.0 Safari/537.36" });
    await sleep(500);
    expect(shop.server.requests).toHaveLength(0);

    await shop.open(
      { init: { botUserAgentPattern: null } },
      { userAgent: "Mozilla/5.0 HeadlessChrome/130.0.0.0 Safari/537.36" },
    );
    await waitForEvent("Page Viewed");
  });
});

describe("robustness", () => {
  it("never throws into the page, even without localStorage or with odd arguments", async () => {
    const page = await shop.open({
      initScript: `Object.defineProperty(window, "localStorage", {
        get() { throw new DOMException("denied", "SecurityError"); },
      });`,
      script: `
        window.results = [];
        const call = (fn) => { try { const r = fn(); window.results.push("ok"); return r; } catch (e) { window.results.push("threw: " + e); } };
        const circular = { name: "loop" }; circular.self = circular;
        call(() => cartwheel.track("Circular", { circular, big: 10n, fn() {}, when: new Date(0) }));
        call(() => cartwheel.track());
        call(() => cartwheel.track(42));
        call(() => cartwheel.identify());
        call(() => cartwheel.productAdded(null));
        call(() => cartwheel.page("not an object"));
        call(() => cartwheel.on("exitIntent", () => { throw new Error("handler"); }));
        call(() => cartwheel.init(null));
      `,
    });
    const [circular] = await waitForEvent("Circular");
    expect(circular?.properties).toEqual({
      circular: { name: "loop", self: "[Circular]" },
      big: "10",
      when: "1970-01-01T00:00:00.000Z",
    });
    expect(await page.evaluate(() => (window as unknown as { results: string[] }).results)).toEqual(
      Array(8).fill("ok"),
    );
    expect(shop.pageErrors).toEqual([]);
  });

  it("keeps working in memory when localStorage is full", async () => {
    const page = await shop.open({
      initScript: `Storage.prototype.setItem = () => {
        throw new DOMException("full", "QuotaExceededError");
      };`,
    });
    await page.evaluate(() => cartwheel.productAdded({ product_id: "p1" }));
    const [added] = await waitForEvent("Product Added");
    expect(added?.properties.cart_id).toEqual(expect.any(String));
    expect(shop.pageErrors).toEqual([]);
  });
});
