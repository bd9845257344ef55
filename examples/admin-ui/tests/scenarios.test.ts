import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  advanceDueRuns,
  createScenario,
  createTemplate,
  pauseScenario,
  publishScenario,
  startScenario,
  updateEmailSettings,
  upsertContact,
} from "@cartwheel/api/domain";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdminUi, startAdminUi } from "../server.ts";
import { attributeValues, launchChromium, signIn, startApi } from "./support.ts";

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
            { name: "holdout", weight: 1, next: "wait-2d", holdout: true },
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

  // The split's results: what it compares, and each branch against the holdout branch.
  const split = page.locator('[data-testid=split-report][data-node="test"]');
  await split.waitFor();
  expect(await split.getByTestId("split-experiment").textContent()).toContain(
    "Compared on conversion rate · no experiment",
  );
  const resultRow = (branch: string) =>
    split.locator(`[data-testid=split-row][data-branch="${branch}"]`);
  expect(await resultRow("holdout").getByTestId("split-holdout").count()).toBe(1);
  expect(await resultRow("reward").getByTestId("split-holdout").count()).toBe(0);
  expect(await resultRow("holdout").locator("td").last().textContent()).toBe("baseline");
  expect(await resultRow("reward").getByTestId("split-lift").getAttribute("data-verdict")).toBe(
    "TOO_FEW_CONTACTS",
  );
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

const scenarioQuery = `query($id: ID!) { node(id: $id) { ... on Scenario {
  name priority status definition liveVersion { version definition }
  runs(first: 10) { edges { node { status reason } } }
} } }`;

/** A live scenario: a point on entry, wait up to an hour for an order, ten for buyers, exit. */
async function liveWaitingScenario(shop: { workspaceId: string }) {
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  const scenario = await createScenario(workspaceId, {
    name: "Order follow-up",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "welcome",
      nodes: [
        { id: "welcome", kind: "adjust_score", delta: 1, reason: "entered", next: "wait-1h" },
        {
          id: "wait-1h",
          kind: "wait_for_event",
          event: "Order Completed",
          timeout: { hours: 1 },
          matched: "buyer",
          timedOut: "bye",
        },
        { id: "buyer", kind: "adjust_score", delta: 10, reason: "bought", next: "bye" },
        { id: "bye", kind: "exit" },
      ],
    },
  });
  await publishScenario(workspaceId, scenario.id);
  return {
    workspaceId,
    scenarioId: scenario.id,
    globalId: Buffer.from(`Scenario:${scenario.id}`).toString("base64"),
  };
}

it("edits the definition: a saved change redraws the flow, problems land on their node, bad JSON is refused here", async () => {
  const shop = await api.newShop();
  const { globalId } = await liveWaitingScenario(shop);
  const read = async () =>
    (await api.api.data(scenarioQuery, { id: globalId }, shop.secretKey)).node;
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  const saves: string[] = [];
  page.on("request", (request) => {
    if (request.postData()?.includes("updateScenario")) saves.push(request.url());
  });
  await page.goto(`${ui.url}/#/scenarios/${encodeURIComponent(globalId)}`);
  const node = (id: string) => page.locator(`[data-testid=scenario-node][data-node="${id}"]`);
  await node("wait-1h").waitFor();
  expect(await page.getByTestId("definition-editor").isVisible()).toBe(false);
  await page.getByTestId("edit-definition").click();
  const text = page.getByTestId("definition-text");
  const document = JSON.parse(await text.inputValue());
  expect(document.nodes.map((n: { id: string }) => n.id)).toEqual([
    "welcome",
    "wait-1h",
    "buyer",
    "bye",
  ]);
  expect(await page.getByTestId("definition-save").isDisabled()).toBe(true);
  const edit = async (change: (doc: typeof document) => void) => {
    const copy = structuredClone(document);
    change(copy);
    await text.fill(JSON.stringify(copy, null, 2));
  };

  // A valid change: buyers get 5 more points before they leave; renamed and prioritised too.
  await edit((doc) => {
    doc.nodes[2].next = "score";
    doc.nodes.splice(3, 0, {
      id: "score",
      kind: "adjust_score",
      delta: 5,
      reason: "bought",
      next: "bye",
    });
  });
  await page.getByTestId("definition-name").fill("Order follow-up v2");
  await page.getByTestId("definition-priority").fill("5");
  await page.getByTestId("definition-save").click();
  const saved = page.getByTestId("definition-saved");
  await saved.waitFor();
  expect(await saved.textContent()).toContain("Saved as the draft of version 2");
  expect(await saved.textContent()).toContain("Live version 1 keeps running unchanged");
  await node("score").waitFor();
  expect(await node("buyer").locator("[data-testid=node-output]").allTextContents()).toEqual([
    "next → score0",
  ]);
  expect(await page.locator("h1").textContent()).toContain("Order follow-up v2");
  expect(await page.getByTestId("publish-scenario").textContent()).toBe(
    "Publish changes as version 2",
  );
  expect(await page.getByTestId("draft-changed").isVisible()).toBe(true);
  const afterSave = await read();
  expect(afterSave).toMatchObject({ name: "Order follow-up v2", priority: 5, status: "LIVE" });
  expect(afterSave.liveVersion.version).toBe(1);
  expect(afterSave.definition.nodes.map((n: { id: string }) => n.id)).toContain("score");
  expect(afterSave.liveVersion.definition.nodes.map((n: { id: string }) => n.id)).not.toContain(
    "score",
  );

  // A dangling `next`: the problem is on the score card, and only there.
  const current = JSON.parse(await text.inputValue());
  const change = async (mutate: (doc: typeof current) => void) => {
    const copy = structuredClone(current);
    mutate(copy);
    await text.fill(JSON.stringify(copy, null, 2));
    await page.getByTestId("definition-save").click();
    await page.getByTestId("definition-error").waitFor();
  };
  await change((doc) => {
    doc.nodes.find((n: { id: string }) => n.id === "score").next = "nowhere";
  });
  expect(await page.getByTestId("definition-error").textContent()).toContain("1 problem");
  expect(await node("score").getAttribute("class")).toContain("has-problem");
  expect(await node("score").getByTestId("node-problem").textContent()).toBe(
    'next no node is called "nowhere"',
  );
  expect(await page.locator("[data-testid=node-problem]").count()).toBe(1);
  expect(await page.locator(".scenario-node.has-problem").count()).toBe(1);
  expect(await page.getByTestId("trigger-problem").count()).toBe(0);
  expect(await attributeValues(page, "definition-problem", "data-path")).toEqual([
    "definition.nodes.score.next",
  ]);
  expect((await read()).definition).toEqual(afterSave.definition);

  // A wait without a timeout: on the wait card, and the score card is clean again.
  await change((doc) => {
    delete doc.nodes.find((n: { id: string }) => n.id === "wait-1h").timeout;
  });
  await expect.poll(() => node("wait-1h").getAttribute("class")).toContain("has-problem");
  expect(await node("wait-1h").getByTestId("node-problem").textContent()).toMatch(/^timeout /);
  expect(await page.locator("[data-testid=node-problem]").count()).toBe(1);
  expect(await node("score").getAttribute("class")).not.toContain("has-problem");
  expect(await attributeValues(page, "definition-problem", "data-path")).toEqual([
    "definition.nodes.wait-1h.timeout",
  ]);
  await mkdir(screenshots, { recursive: true });
  await node("wait-1h").scrollIntoViewIfNeeded();
  await page.screenshot({
    path: path.join(screenshots, "admin-scenario-editor-errors.png"),
    fullPage: true,
  });

  // A trigger without its tag: on the trigger line, no node marked.
  await change((doc) => {
    doc.trigger = { kind: "tag_added" };
  });
  await expect.poll(() => page.getByTestId("trigger-problem").count()).toBe(1);
  expect(await page.getByTestId("trigger-problem").textContent()).toMatch(/^trigger\.tag /);
  expect(await page.locator(".scenario-node.has-problem").count()).toBe(0);
  expect((await read()).definition).toEqual(afterSave.definition);

  // An empty name: beside the name field, nothing saved.
  await text.fill(JSON.stringify(current, null, 2));
  await page.getByTestId("definition-name").fill("  ");
  await page.getByTestId("definition-name").press("Control+s");
  await expect
    .poll(() => page.getByTestId("definition-error-name").textContent())
    .toBe("must not be empty");
  expect(await page.locator(".has-problem").count()).toBe(0);
  expect((await read()).name).toBe("Order follow-up v2");
  await page.getByTestId("definition-name").fill("Order follow-up v2");

  // Not JSON at all: refused with its line and column, and no request is sent.
  const requestsBefore = saves.length;
  const broken = JSON.stringify(current, null, 2).replace('"start": ', '"start" ');
  const brokenLine = broken.split("\n").findIndex((line) => line.includes('"start" ')) + 1;
  await text.fill(broken);
  await page.getByTestId("definition-save").click();
  const jsonError = page.getByTestId("definition-json-error");
  await jsonError.waitFor();
  expect(await jsonError.textContent()).toMatch(
    new RegExp(`^Not valid JSON at line ${brokenLine}, column 11: .+\\. Nothing was sent\\.$`),
  );
  expect(await page.locator(".code-gutter .error-line").textContent()).toBe(String(brokenLine));
  expect(saves.length).toBe(requestsBefore);
  expect((await read()).definition).toEqual(afterSave.definition);

  // Discarding puts the saved document back and the flow shows the saved draft, clean.
  await page.getByTestId("definition-discard").click();
  expect(JSON.parse(await text.inputValue())).toEqual(afterSave.definition);
  expect(await page.locator(".has-problem").count()).toBe(0);
  expect(errors).toEqual([]);
});

it("pauses, resumes and, after a confirm, archives a live scenario", async () => {
  const shop = await api.newShop();
  const { workspaceId, scenarioId, globalId } = await liveWaitingScenario(shop);
  for (const email of ["p@example.com", "q@example.com"]) {
    const { contact } = await upsertContact(workspaceId, { email });
    await startScenario(workspaceId, scenarioId, contact.id, { payload: {} });
  }
  await advanceDueRuns({ now: new Date(), workspaceId });
  const read = async () =>
    (await api.api.data(scenarioQuery, { id: globalId }, shop.secretKey)).node;
  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey);
  await page.goto(`${ui.url}/#/scenarios/${encodeURIComponent(globalId)}`);
  const status = page.getByTestId("scenario-status");
  await expect.poll(() => status.textContent()).toBe("live");
  expect(await page.getByTestId("resume-scenario").count()).toBe(0);

  await page.getByTestId("pause-scenario").click();
  await expect.poll(() => status.textContent()).toBe("paused");
  expect(await page.getByTestId("paused-note").textContent()).toContain(
    "Runs in progress hold where they are",
  );
  expect(await page.getByTestId("pause-scenario").count()).toBe(0);
  expect((await read()).status).toBe("PAUSED");
  await expect
    .poll(() =>
      page
        .locator('[data-testid=scenario-node][data-node="wait-1h"]')
        .getByTestId("node-waiting")
        .textContent(),
    )
    .toBe("2 waiting");
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-scenario-paused.png") });

  await page.getByTestId("resume-scenario").click();
  await expect.poll(() => status.textContent()).toBe("live");
  expect(await page.getByTestId("lifecycle-done").textContent()).toMatch(/^Resumed\./);
  expect(await page.getByTestId("paused-note").count()).toBe(0);
  expect((await read()).status).toBe("LIVE");

  // Paused behind the page's back: the API's refusal is shown as it says it.
  await pauseScenario(workspaceId, scenarioId);
  await page.getByTestId("pause-scenario").click();
  const refused = page.getByTestId("lifecycle-error");
  await refused.waitFor();
  expect(await refused.textContent()).toBe("Conflict on id: a paused scenario cannot be paused");
  await page.reload();
  await expect.poll(() => status.textContent()).toBe("paused");

  // Archive asks first, says what it ends, and Cancel changes nothing.
  await page.getByTestId("archive-scenario").click();
  const confirm = page.getByTestId("archive-confirm");
  expect(await confirm.isVisible()).toBe(true);
  expect(await confirm.textContent()).toContain(
    "Every run in progress exits now (2 runs are waiting)",
  );
  await page.getByTestId("archive-cancel").click();
  expect(await confirm.isVisible()).toBe(false);
  expect((await read()).status).toBe("PAUSED");
  await page.getByTestId("archive-scenario").click();
  await page.screenshot({ path: path.join(screenshots, "admin-scenario-archive-confirm.png") });
  await page.getByTestId("archive-confirm-button").click();
  await expect.poll(() => status.textContent()).toBe("archived");
  expect(await page.getByTestId("lifecycle-done").textContent()).toContain(
    "Every run in progress has exited",
  );
  const archived = await read();
  expect(archived.status).toBe("ARCHIVED");
  expect(archived.runs.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual([
    "EXITED",
    "EXITED",
  ]);
  expect(await page.getByTestId("archive-scenario").count()).toBe(0);
  await page.getByTestId("edit-definition").click();
  expect(await page.getByTestId("definition-save").count()).toBe(0);
  expect(await page.getByTestId("definition-text").getAttribute("readonly")).toBe("");
  expect(errors).toEqual([]);
});

it("refreshes the results as runs come in, once per burst, keeping the scroll and a selection", async () => {
  const shop = await api.newShop();
  const workspaceId = Buffer.from(shop.workspaceId, "base64")
    .toString("utf8")
    .split(":")[1] as string;
  const scenario = await createScenario(workspaceId, {
    name: "Subject line test",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "subject",
      nodes: [
        {
          id: "subject",
          kind: "split",
          branches: [
            { name: "short", weight: 1, next: "wait-1d" },
            { name: "long", weight: 1, next: "wait-1d" },
          ],
        },
        { id: "wait-1d", kind: "delay", duration: { days: 1 }, next: "bye" },
        { id: "bye", kind: "exit" },
      ],
    },
  });
  await publishScenario(workspaceId, scenario.id);
  let started = 0;
  const startRuns = async (count: number) => {
    for (let i = 0; i < count; i++) {
      started += 1;
      const { contact } = await upsertContact(workspaceId, { email: `r${started}@example.com` });
      await startScenario(workspaceId, scenario.id, contact.id, { payload: {} });
    }
    await advanceDueRuns({ now: new Date(), workspaceId });
  };
  await startRuns(1);

  const { page, errors } = await signIn(browser, ui.url, api.url, shop.secretKey, {
    viewport: { width: 1360, height: 700 },
  });
  const resultRequests: string[] = [];
  page.on("request", (request) => {
    if (request.postData()?.includes("query ScenarioResults")) resultRequests.push(request.url());
  });
  const globalId = Buffer.from(`Scenario:${scenario.id}`).toString("base64");
  await page.goto(`${ui.url}/#/scenarios/${encodeURIComponent(globalId)}`);
  const split = page.locator('[data-testid=split-report][data-node="subject"]');
  const splitRuns = async () =>
    (await split.locator("[data-testid=split-row] td:nth-of-type(1)").allTextContents())
      .map(Number)
      .reduce((a, b) => a + b, 0);
  await expect.poll(splitRuns).toBe(1);
  await expect
    .poll(() => page.getByTestId("results-live-state").getAttribute("data-state"))
    .toBe("live");
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  // The reader has scrolled to the split and selected a branch's name.
  await split.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 40));
  const scrollY = await page.evaluate(() => window.scrollY);
  expect(scrollY).toBeGreaterThan(0);
  await page.evaluate(() => {
    const name = document.querySelector(
      '[data-testid=split-row][data-branch="long"] th',
    )?.firstChild;
    if (!name) throw new Error("no branch name");
    const range = document.createRange();
    range.selectNodeContents(name);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
  });
  const requestsBefore = resultRequests.length;

  // Eight runs in a burst: the results follow without a reload, read once or twice, not eight times.
  await startRuns(8);
  await expect.poll(splitRuns).toBe(9);
  expect(resultRequests.length - requestsBefore).toBeGreaterThanOrEqual(1);
  expect(resultRequests.length - requestsBefore).toBeLessThanOrEqual(2);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrollY);
  expect(
    await page.evaluate(() => {
      const selection = getSelection();
      return {
        text: selection?.toString(),
        onScreen: selection?.anchorNode?.isConnected ?? false,
      };
    }),
  ).toEqual({ text: "long", onScreen: true });
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
  ).toBe(true);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "admin-scenario-results-live.png") });
  expect(errors).toEqual([]);
});
