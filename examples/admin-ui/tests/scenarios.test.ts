import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  advanceDueRuns,
  createScenario,
  createTemplate,
  publishScenario,
  startScenario,
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

it("draws a scenario as its tree with each node's live counts", async () => {
  const shop = await api.newShop();
  // A global id is base64 of "Workspace:<row id>".
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  await updateEmailSettings(workspaceId, {
    fromEmail: "hi@shop.example",
    postalAddress: "1 Main St",
  });
  const template = await createTemplate(workspaceId, {
    name: "Thanks",
    kind: "MARKETING",
    subject: "Thanks",
    html: "<p>Thanks</p>",
  });
  const scenario = await createScenario(workspaceId, {
    name: "Thank-you series",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "thanks",
      nodes: [
        { id: "thanks", kind: "send_email", templateId: template.id, next: "test" },
        {
          id: "test",
          kind: "split",
          branches: [
            { name: "reward", weight: 2, next: "wait-2d" },
            { name: "holdout", weight: 1, next: "wait-2d" },
          ],
        },
        { id: "wait-2d", kind: "delay", duration: { days: 2 }, next: "opened" },
        {
          id: "opened",
          kind: "condition",
          fact: { kind: "email_opened", node: "thanks" },
          yes: "reward",
          no: "bye",
        },
        { id: "reward", kind: "adjust_score", delta: 10, reason: "engaged" },
        { id: "bye", kind: "exit" },
      ],
    },
  });
  await publishScenario(workspaceId, scenario.id);
  for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
    const { contact } = await upsertContact(workspaceId, {
      email,
      consent: { status: "SUBSCRIBED", source: "test" },
    });
    await startScenario(workspaceId, scenario.id, contact.id, { payload: {} });
  }
  await advanceDueRuns({ now: new Date(), workspaceId });

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.getByTestId("nav-scenarios").click();
  const row = page.locator('[data-testid=scenario-row][data-scenario="Thank-you series"]');
  await expect.poll(() => row.locator("td").nth(3).textContent()).toBe("3");
  await row.getByRole("link").click();
  const node = (id: string) => page.locator(`[data-testid=scenario-node][data-node="${id}"]`);
  await expect
    .poll(() => node("thanks").getByTestId("node-entered").textContent())
    .toBe("3 entered");
  expect(await node("thanks").getByTestId("node-mail").textContent()).toBe(
    "0 sent · 0 opened · 0 clicked",
  );
  expect(await node("wait-2d").getByTestId("node-waiting").textContent()).toBe("3 waiting");
  expect(await node("opened").locator("[data-testid=node-output]").allTextContents()).toEqual([
    "yes → reward0",
    "no → bye0",
  ]);
  const rows = node("test").locator("[data-testid=branch-row]");
  expect(await rows.locator("td:first-child").allTextContents()).toEqual([
    "reward 67%",
    "holdout 33%",
  ]);
  const runsPerBranch = await rows.locator("td:nth-child(2)").allTextContents();
  expect(runsPerBranch.map(Number).reduce((a, b) => a + b, 0)).toBe(3);
  expect(await page.getByTestId("scenario-status").textContent()).toBe("live");
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-scenario-tree.png"),
    fullPage: true,
  });
  expect(errors).toEqual([]);
});

it("updates the node counts as runs advance, reconnects a dropped stream, and closes it on leaving", async () => {
  const shop = await api.newShop();
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  const scenario = await createScenario(workspaceId, {
    name: "Welcome wait",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "wait-1d",
      nodes: [
        { id: "wait-1d", kind: "delay", duration: { days: 1 }, next: "bye" },
        { id: "bye", kind: "exit" },
      ],
    },
  });
  await publishScenario(workspaceId, scenario.id);
  const startRun = async (email: string) => {
    const { contact } = await upsertContact(workspaceId, { email });
    await startScenario(workspaceId, scenario.id, contact.id, { payload: {} });
    await advanceDueRuns({ now: new Date(), workspaceId });
  };
  await startRun("first@example.com");

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  const streams: string[] = [];
  page.on("requestfailed", (request) => {
    if (request.headers().accept === "text/event-stream") streams.push("closed");
  });
  const globalId = Buffer.from(`Scenario:${scenario.id}`).toString("base64");
  await page.goto(`${ui.url}/#/scenarios/${encodeURIComponent(globalId)}`);
  const wait = page.locator('[data-testid=scenario-node][data-node="wait-1d"]');
  const liveState = page.getByTestId("live-state");
  await expect.poll(() => wait.getByTestId("node-entered").textContent()).toBe("1 entered");
  await expect.poll(() => liveState.getAttribute("data-state")).toBe("live");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  await startRun("second@example.com");
  await expect.poll(() => wait.getByTestId("node-entered").textContent()).toBe("2 entered");
  expect(await wait.getByTestId("node-waiting").textContent()).toBe("2 waiting");
  await expect.poll(() => page.getByTestId("scenario-runs").textContent()).toBe("2 runs");

  api.dropConnections();
  await expect.poll(() => liveState.getAttribute("data-state")).toBe("reconnecting");
  await startRun("third@example.com");
  await expect.poll(() => wait.getByTestId("node-entered").textContent()).toBe("3 entered");
  await expect.poll(() => liveState.getAttribute("data-state")).toBe("live");
  await startRun("fourth@example.com");
  await expect.poll(() => wait.getByTestId("node-entered").textContent()).toBe("4 entered");
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
  ).toBe(true);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({
    path: path.join(screenshots, "admin-scenario-live.png"),
    fullPage: true,
  });

  const closedBefore = streams.length;
  await page.getByRole("link", { name: "← Scenarios" }).click();
  await page.getByTestId("scenario-list").waitFor();
  await expect.poll(() => streams.length).toBe(closedBefore + 1);
  expect(errors).toEqual([]);
});
