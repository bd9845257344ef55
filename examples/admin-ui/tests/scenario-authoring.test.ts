import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  createScenario,
  createTemplate,
  updateEmailSettings,
  upsertContact,
} from "@cartwheel/api/domain";
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

/** A draft: a welcome mail, a day later a check for two product views, then an offer whose template needs a coupon it never gets. */
async function draftWithOffer(workspaceGlobalId: string) {
  const workspaceId = Buffer.from(workspaceGlobalId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  await updateEmailSettings(workspaceId, {
    fromEmail: "hi@shop.example",
    postalAddress: "1 Main St",
  });
  await upsertContact(workspaceId, {
    email: "lena@example.com",
    firstName: "Lena",
    consent: { status: "SUBSCRIBED", source: "test" },
  });
  const welcome = await createTemplate(workspaceId, {
    name: "Welcome",
    kind: "MARKETING",
    subject: "Welcome, {{ contact.first_name }}!",
    html: '<h1 style="font-family: sans-serif">Hello {{ contact.first_name }}</h1><p>Thanks for joining.</p>',
  });
  const offer = await createTemplate(workspaceId, {
    name: "Offer",
    kind: "MARKETING",
    subject: "A code for you",
    html: "<p>Use {{ coupon.code }} at checkout.</p>",
  });
  return createScenario(workspaceId, {
    name: "Welcome and offer",
    definition: {
      version: 1,
      trigger: { kind: "event", event: "Signed Up" },
      start: "welcome",
      nodes: [
        { id: "welcome", kind: "send_email", templateId: welcome.id, next: "wait" },
        { id: "wait", kind: "delay", duration: { days: 1 }, next: "viewed" },
        {
          id: "viewed",
          kind: "condition",
          filter: { event: { name: "Product Viewed", atLeast: 2, withinHours: 48 } },
          yes: "offer",
          no: "bye",
        },
        { id: "offer", kind: "send_email", templateId: offer.id },
        { id: "bye", kind: "exit" },
      ],
    },
  });
}

it("simulates a draft for a made-up and an existing contact, then publishes it", async () => {
  const shop = await api.newShop();
  await draftWithOffer(shop.workspaceId);
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-scenarios").click();
  await page.getByRole("link", { name: "Welcome and offer" }).click();
  await expect.poll(() => page.getByTestId("scenario-status").textContent()).toBe("draft");
  const steps = page.getByTestId("sim-step");
  const step = (node: string) => page.locator(`[data-testid=sim-step][data-node="${node}"]`);

  // A made-up contact who signs up and views nothing: welcomed, then let go.
  expect(await page.getByTestId("sim-event-name").inputValue()).toBe("Signed Up");
  await page.getByTestId("sim-run-button").click();
  // A simulation takes about a second on a busy machine, past the default poll.
  await expect
    .poll(() => attributeValuesOf(steps), { timeout: 10_000 })
    .toEqual(["welcome", "wait", "viewed", "bye"]);
  expect(await step("welcome").getByTestId("sim-mail-subject").textContent()).toBe("Welcome, Ada!");
  const frame = page.frameLocator("[data-testid=sim-mail-html]").first();
  expect(await frame.locator("h1").textContent()).toBe("Hello Ada");
  expect(await step("viewed").getByTestId("sim-output").textContent()).toBe("→ no");
  expect(await step("viewed").getByTestId("explanation").first().getAttribute("class")).toBe(
    "explain-no",
  );

  // Lena, found by email, views two products: the offer cannot render without a coupon.
  await page.getByTestId("sim-who-existing").check();
  expect(await page.getByTestId("sim-madeup-email").isVisible()).toBe(false);
  await page.getByTestId("sim-contact-search").fill("lena");
  await page.getByTestId("sim-contact-match").click();
  expect(await page.getByTestId("sim-contact-chosen").textContent()).toBe("lena@example.com");
  for (const after of ["2", "3"]) {
    await page.getByTestId("sim-add-event").click();
    await page.getByTestId("sim-event-name").last().fill("Product Viewed");
    await page.getByTestId("sim-event-after").last().fill(after);
    await page.getByTestId("sim-event-properties").last().fill('{"product_id": "tent"}');
  }
  await page.getByTestId("sim-run-button").click();
  await expect
    .poll(() => attributeValuesOf(steps), { timeout: 10_000 })
    .toEqual(["welcome", "wait", "viewed", "offer"]);
  expect(await step("welcome").getByTestId("sim-mail-subject").textContent()).toBe(
    "Welcome, Lena!",
  );
  expect(await step("viewed").getByTestId("sim-output").textContent()).toBe("→ yes");
  expect(await step("viewed").getByTestId("explanation").first().getAttribute("class")).toBe(
    "explain-yes",
  );
  expect(await step("offer").getAttribute("class")).toContain("has-error");
  expect(await step("offer").getByTestId("sim-mail-error").textContent()).toContain("coupon");
  expect(await step("welcome").getByTestId("sim-mail-error").count()).toBe(0);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-scenario-simulation.png"),
    fullPage: true,
  });
  // Nothing of the simulation was kept.
  const { scenarios } = await call(
    `{ scenarios(first: 5) { edges { node { status runs(first: 0) { totalCount } } } } }`,
  );
  expect(scenarios.edges).toEqual([{ node: { status: "DRAFT", runs: { totalCount: 0 } } }]);

  await page.getByTestId("publish-scenario").click();
  await expect.poll(() => page.getByTestId("scenario-status").textContent()).toBe("live");
  expect(await page.getByTestId("publish-scenario").count()).toBe(0);
  const after = await call(
    `{ scenarios(first: 5) { edges { node { status liveVersion { version } } } } }`,
  );
  expect(after.scenarios.edges).toEqual([
    { node: { status: "LIVE", liveVersion: { version: 1 } } },
  ]);
  expect(errors).toEqual([]);
});

function attributeValuesOf(locator: import("playwright-core").Locator) {
  return locator.evaluateAll((elements) =>
    elements.map((element) => element.getAttribute("data-node")),
  );
}
