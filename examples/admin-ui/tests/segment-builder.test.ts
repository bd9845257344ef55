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

it("builds a segment from simple conditions with a live count, saves it and edits it", async () => {
  const shop = await api.newShop();
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  await call(
    `mutation($input: ImportContactsInput!) { importContacts(input: $input) { __typename } }`,
    {
      input: {
        contacts: [
          {
            email: "ann@example.com",
            externalId: "u1",
            tags: ["vip"],
            properties: { plan: "pro" },
          },
          {
            email: "bob@example.com",
            externalId: "u2",
            tags: ["vip"],
            properties: { plan: "free" },
          },
          { email: "cy@example.com", externalId: "u3", properties: { plan: "pro" } },
        ],
      },
    },
  );
  const viewed = (userId: string, n: number) => ({
    type: "TRACK",
    event: "Product Viewed",
    userId,
    messageId: `${userId}-${n}`,
    timestamp: new Date(Date.now() - n * 3_600_000).toISOString(),
    properties: { product_id: "tent" },
  });
  const { ingestEvents } = await call(
    `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) { __typename } }`,
    { input: { events: [viewed("u1", 1), viewed("u1", 2), viewed("u3", 1)] } },
  );
  expect(ingestEvents.__typename).toBe("MutationIngestEventsSuccess");

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-segments").click();
  await page.getByTestId("segment-new").click();
  const count = page.getByTestId("builder-count-value");
  const row = (i: number) => page.getByTestId("builder-row").nth(i);
  await row(0).getByTestId("builder-tag").fill("vip");
  await expect.poll(() => count.textContent()).toBe("2");

  await page.getByTestId("builder-add").click();
  await row(1).getByTestId("builder-kind").selectOption("property");
  await row(1).getByTestId("builder-key").fill("plan");
  await row(1).getByTestId("builder-value").fill("pro");
  await expect.poll(() => count.textContent()).toBe("1");
  await page.getByTestId("builder-match").selectOption("or");
  await expect.poll(() => count.textContent()).toBe("3");
  await page.getByTestId("builder-match").selectOption("and");
  await expect.poll(() => count.textContent()).toBe("1");

  await page.getByTestId("builder-add").click();
  await row(2).getByTestId("builder-kind").selectOption("event");
  await row(2).getByTestId("builder-event").fill("Product Viewed");
  await row(2).getByTestId("builder-count-input").fill("2");
  await row(2).getByTestId("builder-days").fill("0");
  await expect.poll(() => row(2).getByTestId("builder-row-error").textContent()).toMatch(/^Days: /);
  expect(await row(0).getByTestId("builder-row-error").textContent()).toBe("");
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-segment-builder-error.png"),
    fullPage: true,
  });
  await row(2).getByTestId("builder-days").fill("7");
  await expect.poll(() => row(2).getByTestId("builder-row-error").textContent()).toBe("");
  await expect.poll(() => count.textContent()).toBe("1");
  expect(await page.getByTestId("builder-sample").textContent()).toBe("ann@example.com");

  // Explain the conditions as they stand, before saving: one contact matches, one does not.
  await page.getByTestId("builder-explain").click();
  const draftPanel = page.getByTestId("segment-explain");
  const draftVerdict = draftPanel.getByTestId("explain-verdict");
  const explainFor = async (term: string) => {
    await draftPanel.getByTestId("explain-search").fill(term);
    await draftPanel.getByTestId("explain-match").first().click();
  };
  await explainFor("ann");
  await expect.poll(() => draftVerdict.getAttribute("data-matches")).toBe("true");
  await explainFor("cy@");
  await expect.poll(() => draftVerdict.getAttribute("data-matches")).toBe("false");
  const conditions = await draftPanel
    .getByTestId("explanation")
    .evaluateAll((items) =>
      items.map((item) => [item.getAttribute("data-kind"), item.getAttribute("data-matches")]),
    );
  expect(conditions).toEqual([
    ["and", "false"],
    ["tag", "false"],
    ["property", "true"],
    ["event", "false"],
  ]);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-segment-builder-explain.png"),
    fullPage: true,
  });
  await draftPanel.getByTestId("explain-close").click();

  await page.getByTestId("builder-save").click();
  await expect.poll(() => page.getByTestId("builder-error-name").textContent()).toMatch(/\S/);
  expect((await call("{ segments { totalCount } }")).segments.totalCount).toBe(0);
  await page.getByTestId("builder-name").fill("Engaged pros");
  await page.screenshot({
    path: path.join(screenshots, "admin-segment-builder.png"),
    fullPage: true,
  });
  await page.getByTestId("builder-save").click();
  const saved = page.locator('[data-testid=segment-row][data-segment="Engaged pros"]');
  await saved.waitFor();
  const stored = async () =>
    (await call("{ segments { edges { node { id name filter } } } }")).segments.edges;
  expect((await stored())[0].node.filter).toEqual({
    and: [
      { tag: { name: "vip", has: true } },
      { property: { key: "plan", op: "EQUALS", type: "STRING", value: "pro" } },
      { event: { name: "Product Viewed", atLeast: 2, withinDays: 7 } },
    ],
  });

  await saved.getByTestId("segment-edit").click();
  expect(await page.getByTestId("builder-row").count()).toBe(3);
  expect(await row(2).getByTestId("builder-event").inputValue()).toBe("Product Viewed");
  await expect.poll(() => count.textContent()).toBe("1");
  await row(0).getByTestId("builder-remove").click();
  await row(1).getByTestId("builder-remove").click();
  await expect.poll(() => count.textContent()).toBe("1");
  await page.getByTestId("builder-save").click();
  await expect
    .poll(async () => (await stored())[0].node.filter)
    .toEqual({ property: { key: "plan", op: "EQUALS", type: "STRING", value: "pro" } });
  expect((await stored()).length).toBe(1);
  expect(errors).toEqual([]);
});

it("explains, condition by condition, why one contact is in a segment and another is not", async () => {
  const shop = await api.newShop();
  const call = (query: string, variables: Record<string, unknown> = {}) =>
    api.api.data(query, variables, shop.secretKey);
  await call(
    `mutation($input: ImportContactsInput!) { importContacts(input: $input) { __typename } }`,
    {
      input: {
        contacts: [
          {
            email: "ann@example.com",
            externalId: "u1",
            tags: ["vip"],
            properties: { plan: "pro" },
          },
          {
            email: "bob@example.com",
            externalId: "u2",
            tags: ["vip"],
            properties: { plan: "free" },
          },
        ],
      },
    },
  );
  const viewed = (n: number) => ({
    type: "TRACK",
    event: "Product Viewed",
    userId: "u1",
    messageId: `u1-${n}`,
    timestamp: new Date(Date.now() - n * 3_600_000).toISOString(),
    properties: { product_id: "tent" },
  });
  await call(
    `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) { __typename } }`,
    {
      input: { events: [viewed(1), viewed(2)] },
    },
  );
  const { createSegment } = await call(
    `mutation($input: CreateSegmentInput!) { createSegment(input: $input) { __typename } }`,
    {
      input: {
        name: "Keen VIPs",
        filter: {
          and: [
            { tag: { name: "vip" } },
            {
              or: [
                { property: { key: "plan", op: "EQUALS", type: "STRING", value: "pro" } },
                { event: { name: "Product Viewed", atLeast: 2, withinDays: 7 } },
              ],
            },
          ],
        },
      },
    },
  );
  expect(createSegment.__typename).toBe("MutationCreateSegmentSuccess");

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-segments").click();
  await page
    .locator('[data-testid=segment-row][data-segment="Keen VIPs"]')
    .getByTestId("segment-explain-button")
    .click();
  const panel = page.getByTestId("segment-explain");
  const pick = async (term: string) => {
    await panel.getByTestId("explain-search").fill(term);
    await panel.getByTestId("explain-match").first().click();
  };
  const verdict = panel.getByTestId("explain-verdict");
  const outcomes = () =>
    panel.getByTestId("explanation").evaluateAll((items) =>
      items.map((item) => ({
        kind: item.getAttribute("data-kind"),
        matches: item.getAttribute("data-matches"),
        label: item.querySelector(":scope > [data-testid=explanation-label]")?.textContent,
        actual:
          item.querySelector(":scope > [data-testid=explanation-actual]")?.textContent ?? null,
      })),
    );

  await pick("ann@");
  await expect.poll(() => verdict.getAttribute("data-member")).toBe("true");
  expect(await verdict.textContent()).toBe("ann@example.com is a member");
  expect(await outcomes()).toEqual([
    { kind: "and", matches: "true", label: "All of these", actual: null },
    { kind: "tag", matches: "true", label: "Has tag “vip”", actual: null },
    { kind: "or", matches: "true", label: "Any of these", actual: null },
    {
      kind: "property",
      matches: "true",
      label: "Property “plan” is “pro”",
      actual: "contact: “pro”",
    },
    {
      kind: "event",
      matches: "true",
      label: "“Product Viewed” at least 2 times in the last 7 days",
      actual: "contact: 2 times",
    },
  ]);
  expect(await panel.getByTestId("explained-event").count()).toBe(2);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-segment-explain-member.png"),
    fullPage: true,
  });

  await pick("bob@");
  await expect.poll(() => verdict.getAttribute("data-member")).toBe("false");
  expect(await verdict.textContent()).toBe("bob@example.com is not a member");
  expect((await outcomes()).map((o) => [o.kind, o.matches, o.actual])).toEqual([
    ["and", "false", null],
    ["tag", "true", null],
    ["or", "false", null],
    ["property", "false", "contact: “free”"],
    ["event", "false", "contact: 0 times"],
  ]);
  await page.screenshot({
    path: path.join(screenshots, "admin-segment-explain-non-member.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});
