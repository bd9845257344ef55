import { decodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import {
  bundleToYaml,
  parseBundleYaml,
  YamlSyntaxError,
} from "../src/domain/scenarios/as-code/bundle-yaml.ts";
import { exportScenarios } from "../src/domain/scenarios/as-code/export-scenarios.ts";
import { importScenarios } from "../src/domain/scenarios/as-code/import-scenarios.ts";
import { scenarioBlueprints } from "../src/domain/scenarios/blueprints/catalogue.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { createScenario, publishScenario } from "../src/domain/scenarios/scenarios.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { createFlowTemplate } from "./scenario-fixtures.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();

async function shopWithFlows() {
  const { workspace } = await createEmailWorkspace();
  const welcome = await createFlowTemplate(workspace.id, "Welcome");
  const buyers = await createSegment(workspace.id, {
    name: "Buyers",
    filter: { event: { name: "Order Completed", atLeast: 1 } },
  });
  const loyal = await createSegment(workspace.id, {
    name: "Loyal buyers",
    filter: { and: [{ inSegment: { segmentId: buyers.id } }, { score: { min: 10 } }] },
  });
  const followUp = await createScenario(workspace.id, {
    name: "Follow-up",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "send",
      nodes: [{ id: "send", kind: "send_email", templateId: welcome.id }],
    },
  });
  const main = await createScenario(workspace.id, {
    name: "Loyalty welcome",
    priority: 5,
    definition: {
      version: 1,
      trigger: { kind: "segment_entered", segmentId: loyal.id },
      start: "send",
      nodes: [
        { id: "send", kind: "send_email", templateId: welcome.id, next: "more" },
        { id: "more", kind: "start_scenario", scenarioId: followUp.id },
      ],
    },
  });
  await publishScenario(workspace.id, main.id);
  return { workspace, main };
}

const snapshot = async (workspaceId: string) => ({
  templates: await db().template.count({ where: { workspaceId } }),
  segments: await db().segment.count({ where: { workspaceId } }),
  scenarios: await db().scenario.count({ where: { workspaceId } }),
  versions: await db().scenarioVersion.count({ where: { workspaceId } }),
});

describe("scenarios as code", () => {
  it("exports scenarios with what they use, by name, and imports them into another workspace idempotently", async () => {
    const { workspace } = await shopWithFlows();
    const bundle = await exportScenarios(workspace.id);
    expect(bundle.templates.map((t) => t.name)).toEqual(["Welcome"]);
    expect(bundle.segments.map((s) => s.name)).toEqual(["Buyers", "Loyal buyers"]);
    const loyalty = bundle.scenarios.find((s) => s.name === "Loyalty welcome");
    expect(loyalty).toMatchObject({ status: "LIVE", priority: 5 });
    expect(JSON.stringify(loyalty?.definition)).toContain('"segment":"Loyal buyers"');
    expect(JSON.stringify(loyalty?.definition)).toContain('"scenario":"Follow-up"');
    expect(JSON.stringify(bundle)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

    const { workspace: target } = await createEmailWorkspace();
    const empty = await snapshot(target.id);
    const plan = await importScenarios(target.id, bundle, { dryRun: true });
    expect(plan.changes.map((c) => [c.kind, c.name, c.action, c.publishes])).toEqual([
      ["TEMPLATE", "Welcome", "CREATE", false],
      ["SEGMENT", "Buyers", "CREATE", false],
      ["SEGMENT", "Loyal buyers", "CREATE", false],
      ["SCENARIO", "Follow-up", "CREATE", false],
      ["SCENARIO", "Loyalty welcome", "CREATE", true],
    ]);
    expect(await snapshot(target.id)).toEqual(empty);

    await importScenarios(target.id, bundle);
    const after = await snapshot(target.id);
    expect(after).toEqual({ templates: 1, segments: 2, scenarios: 2, versions: 1 });
    const imported = await db().scenario.findFirstOrThrow({
      where: { workspaceId: target.id, name: "Loyalty welcome" },
    });
    expect(imported.status).toBe("LIVE");
    const loyal = await db().segment.findFirstOrThrow({
      where: { workspaceId: target.id, name: "Loyal buyers" },
    });
    expect(imported.definition).toMatchObject({
      trigger: { kind: "segment_entered", segmentId: loyal.id },
    });
    // The round trip gives the same bundle, and importing it again changes nothing.
    expect(await exportScenarios(target.id)).toEqual(bundle);
    const again = await importScenarios(target.id, bundle);
    expect(again.changes.every((c) => c.action === "UNCHANGED")).toBe(true);
    expect(await snapshot(target.id)).toEqual(after);

    // A change to a live scenario becomes a new version.
    const changed = structuredClone(bundle);
    const live = changed.scenarios.find((s) => s.name === "Loyalty welcome");
    if (!live) throw new Error("the bundle lost the live scenario");
    const [send] = (live.definition as { nodes: Record<string, unknown>[] }).nodes;
    if (send) send.data = { coupon: "LOYAL5" };
    const update = await importScenarios(target.id, changed);
    expect(update.changes.filter((c) => c.action !== "UNCHANGED")).toEqual([
      { kind: "SCENARIO", name: "Loyalty welcome", action: "UPDATE", publishes: true },
    ]);
    expect(await snapshot(target.id)).toEqual({ ...after, versions: 2 });
  });

  it("refuses a bundle naming what exists nowhere, and writes nothing", async () => {
    const { workspace } = await shopWithFlows();
    const bundle = await exportScenarios(workspace.id);
    const { workspace: target } = await createEmailWorkspace();
    const broken = { ...bundle, templates: [] };
    const empty = await snapshot(target.id);
    const error = await importScenarios(target.id, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(/no template is called "Welcome"/);
    expect(await snapshot(target.id)).toEqual(empty);
    await expect(
      importScenarios(target.id, { ...bundle, format: "other/2" } as never),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("scenarios as code in YAML", () => {
  it("exports every blueprint and its library templates to YAML that imports back UNCHANGED, and into another workspace the same", async () => {
    const { workspace } = await createEmailWorkspace();
    for (const entry of scenarioBlueprints) {
      const installed = await installScenarioBlueprint(workspace.id, entry.name, {});
      if (entry.name === "abandoned_cart") await publishScenario(workspace.id, installed.id);
    }
    const bundle = await exportScenarios(workspace.id);
    const yaml = bundleToYaml(bundle);
    expect(yaml).toMatch(/^format: cartwheel\.scenarios\/1\n/);
    expect(yaml).toMatch(/ {4}html: \|/);
    expect(parseBundleYaml(yaml)).toEqual(bundle);

    const again = await importScenarios(workspace.id, parseBundleYaml(yaml) as never, {
      dryRun: true,
    });
    const tags = ["Sales-ready", "Sunset", "VIP"];
    expect(again.changes.length).toBe(
      tags.length + bundle.templates.length + bundle.segments.length + bundle.scenarios.length,
    );
    expect(again.changes.filter((change) => change.action !== "UNCHANGED")).toEqual([]);

    // The blueprints' tags are made in a workspace that lacks them.
    const { workspace: target } = await createEmailWorkspace();
    const plan = await importScenarios(target.id, parseBundleYaml(yaml) as never, { dryRun: true });
    expect(plan.changes.filter((change) => change.kind === "TAG")).toEqual(
      tags.map((name) => ({ kind: "TAG", name, action: "CREATE", publishes: false })),
    );
    await importScenarios(target.id, parseBundleYaml(yaml) as never);
    expect(bundleToYaml(await exportScenarios(target.id))).toBe(yaml);
  });

  it("refuses bad YAML before reading the bundle, with the line and column", () => {
    const error = (() => {
      try {
        return parseBundleYaml("format: cartwheel.scenarios/1\nscenarios:\n  - name: [x\n");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ line: 4, column: 1, problems: [{ path: ["yaml"] }] });
  });
});

describe("scenarios as code over GraphQL", () => {
  it("exports and imports with a dry run, each side in its own workspace, with the scopes it needs", async () => {
    const source = await createTestWorkspace(api);
    const sourceId = decodeGlobalID(source.workspaceId).id;
    const template = await createFlowTemplate(sourceId, "Hello");
    await createScenario(sourceId, {
      name: "Hello flow",
      definition: {
        version: 1,
        trigger: { kind: "api" },
        start: "send",
        nodes: [{ id: "send", kind: "send_email", templateId: template.id }],
      },
    });
    const exported = await api.data(
      "{ exportScenarios { ... on QueryExportScenariosSuccess { data } } }",
      {},
      source.secretKey,
    );
    const bundle = exported.exportScenarios.data;
    expect(bundle.scenarios[0].definition.nodes[0].template).toBe("Hello");

    const target = await createTestWorkspace(api);
    const importing = `mutation($bundle: JSONObject!, $dryRun: Boolean) {
      importScenarios(bundle: $bundle, dryRun: $dryRun) {
        __typename
        ... on MutationImportScenariosSuccess { result { dryRun changes { kind name action publishes } } }
        ... on InvalidInputError { problems { path message } }
      }
    }`;
    const dry = await api.data(importing, { bundle, dryRun: true }, target.secretKey);
    expect(dry.importScenarios.result).toEqual({
      dryRun: true,
      changes: [
        { kind: "TEMPLATE", name: "Hello", action: "CREATE", publishes: false },
        { kind: "SCENARIO", name: "Hello flow", action: "CREATE", publishes: false },
      ],
    });
    const targetId = decodeGlobalID(target.workspaceId).id;
    expect(await db().scenario.count({ where: { workspaceId: targetId } })).toBe(0);
    const done = await api.data(importing, { bundle }, target.secretKey);
    expect(done.importScenarios.result.dryRun).toBe(false);
    expect(await db().scenario.count({ where: { workspaceId: targetId } })).toBe(1);
    expect(await db().scenario.count({ where: { workspaceId: sourceId } })).toBe(1);

    const bad = await api.data(importing, { bundle: { format: "x" } }, target.secretKey);
    expect(bad.importScenarios.__typename).toBe("InvalidInputError");
    const readOnly = await target.makeKey("SECRET", ["SCENARIOS_READ"]);
    const refused = await api.data(importing, { bundle }, readOnly.key);
    expect(refused.importScenarios.__typename).toBe("ForbiddenError");
    expect(await db().scenario.count({ where: { workspaceId: targetId } })).toBe(1);
  });

  it("exports YAML and imports it, refusing broken YAML with where it broke", async () => {
    const source = await createTestWorkspace(api);
    const sourceId = decodeGlobalID(source.workspaceId).id;
    const template = await createFlowTemplate(sourceId, "Hello");
    await createScenario(sourceId, {
      name: "Hello flow",
      definition: {
        version: 1,
        trigger: { kind: "api" },
        start: "send",
        nodes: [{ id: "send", kind: "send_email", templateId: template.id }],
      },
    });
    const { exportScenariosYaml } = await api.data(
      "{ exportScenariosYaml { ... on QueryExportScenariosYamlSuccess { data } } }",
      {},
      source.secretKey,
    );
    expect(exportScenariosYaml.data).toContain("template: Hello\n");
    const importing = `mutation($yaml: String, $bundle: JSONObject, $dryRun: Boolean) {
      importScenarios(yaml: $yaml, bundle: $bundle, dryRun: $dryRun) {
        __typename
        ... on MutationImportScenariosSuccess { result { changes { kind name action } } }
        ... on YamlSyntaxError { line column reason message }
        ... on InvalidInputError { problems { path message } }
      }
    }`;
    const same = await api.data(
      importing,
      { yaml: exportScenariosYaml.data, dryRun: true },
      source.secretKey,
    );
    expect(same.importScenarios.result.changes).toEqual([
      { kind: "TEMPLATE", name: "Hello", action: "UNCHANGED" },
      { kind: "SCENARIO", name: "Hello flow", action: "UNCHANGED" },
    ]);

    const target = await createTestWorkspace(api);
    const created = await api.data(importing, { yaml: exportScenariosYaml.data }, target.secretKey);
    expect(created.importScenarios.result.changes.map((c: { action: string }) => c.action)).toEqual(
      ["CREATE", "CREATE"],
    );
    const broken = await api.data(
      importing,
      { yaml: "format: cartwheel.scenarios/1\nscenarios: !!js/function 'x'\n" },
      target.secretKey,
    );
    expect(broken.importScenarios).toMatchObject({
      __typename: "YamlSyntaxError",
      line: 2,
      column: 12,
      message: expect.stringMatching(/^yaml: line 2, column 12: .*tag/),
    });
    const both = await api.data(
      importing,
      { yaml: exportScenariosYaml.data, bundle: { format: "x" } },
      target.secretKey,
    );
    expect(both.importScenarios.__typename).toBe("InvalidInputError");
    const targetId = decodeGlobalID(target.workspaceId).id;
    expect(await db().scenario.count({ where: { workspaceId: targetId } })).toBe(1);
  });
});
