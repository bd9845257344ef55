import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { launchChromium, signIn, startApi } from "./support.ts";

let api: Awaited<ReturnType<typeof startApi>>;
let ui: RunningAdminUi;
let browser: Browser;

beforeAll(async () => {
  [api, ui, browser] = await Promise.all([startApi(), startAdminUi(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await api?.close();
});

/** Where the screenshots go, to look at after a run. */
const screenshots = path.resolve(import.meta.dirname, "../../../tmp/screenshots");

const scenariosQuery = `{ scenarios(first: 10) { edges { node { id name status definition } } } }`;

it("installs a blueprint from its options form, showing a refused option beside its field", async () => {
  const shop = await api.newShop();
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-scenarios").click();
  await page.getByTestId("new-from-blueprint").click();
  const card = page.locator(
    '[data-testid=blueprint-card][data-blueprint="post_purchase_cross_sell"]',
  );
  await card.getByTestId("blueprint-pick").click();
  expect(await page.getByTestId("option-days").inputValue()).toBe("14");
  expect(await page.getByTestId("option-limit").inputValue()).toBe("3");

  await page.getByTestId("option-days").fill("0");
  await page.getByTestId("blueprint-install").click();
  await expect.poll(() => page.getByTestId("option-error-days").textContent()).toMatch(/\S/);
  expect(await page.getByTestId("option-error-limit").textContent()).toBe("");
  expect(await page.getByTestId("blueprint-error").textContent()).toContain("marked");
  expect((await call(scenariosQuery)).scenarios.edges).toEqual([]);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-blueprint-form.png"),
    fullPage: true,
  });

  await page.getByTestId("option-days").fill("21");
  await page.getByTestId("blueprint-install").click();
  await expect.poll(() => page.getByTestId("scenario-status").textContent()).toBe("draft");
  const [installed] = (await call(scenariosQuery)).scenarios.edges;
  expect(installed.node.status).toBe("DRAFT");
  expect(installed.node.definition.nodes[0].duration).toEqual({ days: 21 });
  expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/scenarios/${installed.node.id}`);
  expect(await page.locator("h1").textContent()).toContain(installed.node.name);
  expect(errors).toEqual([]);
});
