import { describe, expect, it } from "vitest";
import { sleep, useBrowser } from "./support/browser";

const shop = useBrowser();

const RECORD_HANDLER_CALLS = `
  window.exitIntents = [];
  cartwheel.on("exitIntent", (detail) => window.exitIntents.push(detail));
`;
type WithExitIntents = Window & { exitIntents: { trigger: string }[] };

describe("exit intent", () => {
  it("fires once per page view when the pointer leaves through the top", async () => {
    const page = await shop.open({ script: RECORD_HANDLER_CALLS });
    await page.mouse.move(400, 300);
    await page.mouse.move(400, 150, { steps: 3 });
    await page.mouse.move(410, 300, { steps: 3 });
    await page.mouse.move(400, -20, { steps: 4 });
    await page.mouse.move(400, 200, { steps: 3 });
    await page.mouse.move(400, -20, { steps: 4 });

    const [exit] = await shop.waitForEvents("Exit Intent");
    expect(exit?.properties).toMatchObject({
      trigger: "pointer",
      time_on_page_ms: expect.any(Number),
    });
    const calls = await page.evaluate(() => (window as unknown as WithExitIntents).exitIntents);
    expect(calls).toEqual([{ trigger: "pointer", time_on_page_ms: expect.any(Number) }]);

    await page.evaluate(() => history.pushState({}, "", "/next"));
    await shop.waitForEvents("Page Viewed", 2);
    await page.mouse.move(400, 200, { steps: 3 });
    await page.mouse.move(400, -20, { steps: 4 });
    await shop.waitForEvents("Exit Intent", 2);
    await sleep(300);
    expect(shop.eventsNamed("Exit Intent")).toHaveLength(2);
  });

  it("does not fire when the pointer leaves sideways or below", async () => {
    const page = await shop.open({ script: RECORD_HANDLER_CALLS });
    await page.mouse.move(400, 300);
    await page.mouse.move(-20, 300, { steps: 4 });
    await page.mouse.move(400, 300, { steps: 4 });
    await page.mouse.move(400, 900, { steps: 4 });
    await sleep(400);
    expect(await page.evaluate(() => (window as unknown as WithExitIntents).exitIntents)).toEqual(
      [],
    );
  });

  it("stays quiet during the quiet period", async () => {
    const page = await shop.open({
      init: { exitIntent: { quietPeriodMs: 60_000 } },
      script: RECORD_HANDLER_CALLS,
    });
    await page.mouse.move(400, 300);
    await page.mouse.move(400, -20, { steps: 4 });
    await sleep(400);
    expect(await page.evaluate(() => (window as unknown as WithExitIntents).exitIntents)).toEqual(
      [],
    );
    expect(shop.eventsNamed("Exit Intent")).toHaveLength(0);
  });

  it("fires on a fast scroll up on touch devices, with the cart id", async () => {
    const page = await shop.open(
      { script: `${RECORD_HANDLER_CALLS} cartwheel.productAdded({ product_id: "p1" });` },
      { hasTouch: true, isMobile: true, viewport: { width: 390, height: 700 } },
    );
    await page.evaluate(() => window.scrollTo(0, 1500));
    await sleep(50);
    await page.evaluate(() => window.scrollTo(0, 200));
    const [exit] = await shop.waitForEvents("Exit Intent");
    const [added] = await shop.waitForEvents("Product Added");
    expect(exit?.properties).toMatchObject({
      trigger: "scroll",
      cart_id: added?.properties.cart_id,
    });
  });
});
