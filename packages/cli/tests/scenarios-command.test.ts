import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenariosCommand } from "../src/scenarios/scenarios-command.ts";
import { startApi, type TestServer } from "./support/api-server.ts";
import { collector } from "./support/run-command.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startApi();
});
afterAll(() => server.close());

async function run(argv: string[], key: string) {
  const stdout = collector();
  const stderr = collector();
  const code = await scenariosCommand(argv, {
    env: { CARTWHEEL_API_KEY: key, CARTWHEEL_API_URL: server.url },
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const exported = async (key: string) =>
  (
    await server.api.data(
      "{ exportScenarios { ... on QueryExportScenariosSuccess { data } } }",
      {},
      key,
    )
  ).exportScenarios.data;

describe("npm run scenarios -- pull | push", () => {
  it("pulls a workspace's flows into files and pushes them into another, idempotently, with a dry run", async () => {
    const source = await server.newShop();
    await server.api.data(
      `mutation($input: UpdateEmailSettingsInput!) { updateEmailSettings(input: $input) { __typename } }`,
      { input: { fromEmail: "hi@shop.example", postalAddress: "1 Main St" } },
      source.secretKey,
    );
    const { createTemplate } = await server.api.data(
      `mutation($input: CreateTemplateInput!) {
        createTemplate(input: $input) { ... on MutationCreateTemplateSuccess { template { id } } }
      }`,
      {
        input: {
          name: "Welcome",
          kind: "MARKETING",
          subject: "Hi {{ contact.first_name }}",
          html: "<p>Hi</p>",
        },
      },
      source.secretKey,
    );
    await server.api.data(
      `mutation($input: CreateScenarioInput!) {
        createScenario(input: $input) { __typename }
      }`,
      {
        input: {
          name: "Welcome series",
          definition: {
            version: 1,
            trigger: { kind: "event", event: "Signed Up" },
            start: "hello",
            nodes: [{ id: "hello", kind: "send_email", templateId: createTemplate.template.id }],
          },
        },
      },
      source.secretKey,
    );
    const dir = await mkdtemp(path.join(tmpdir(), "cartwheel-flows-"));
    const pulled = await run(["pull", dir], source.secretKey);
    expect(pulled).toMatchObject({ code: 0, stderr: "" });
    expect(pulled.stdout).toContain("pulled 1 scenarios, 1 templates, 0 segments");
    expect(await readdir(path.join(dir, "scenarios"))).toEqual(["welcome-series.json"]);
    const file = path.join(dir, "scenarios", "welcome-series.json");
    expect(await readFile(file, "utf8")).toContain('"template": "Welcome"');

    // The simulator checks each fixture's path against the files' definitions.
    await mkdir(path.join(dir, "tests"));
    const fixture = {
      name: "a new subscriber is greeted",
      scenario: "Welcome series",
      contact: { email: "ada@example.com", firstName: "Ada" },
      start: "2026-03-02T10:00:00Z",
      events: [{ at: "2026-03-02T10:05:00Z", name: "Signed Up" }],
      expect: { status: "COMPLETED", path: ["hello"], subjects: ["Hi Ada"] },
    };
    await writeFile(path.join(dir, "tests", "greeted.json"), JSON.stringify(fixture));
    const passing = await run(["test", dir], source.secretKey);
    expect(passing).toMatchObject({ code: 0, stderr: "" });
    expect(passing.stdout).toContain("✓ a new subscriber is greeted\n1 passed, 0 failed");
    await writeFile(
      path.join(dir, "tests", "wrong.json"),
      JSON.stringify({ ...fixture, name: "expects too much", expect: { path: ["hello", "more"] } }),
    );
    const failing = await run(["test", dir], source.secretKey);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(
      "✗ expects too much (tests/wrong.json)\n    path: expected hello → more, got hello",
    );
    expect(failing.stdout).toContain("1 passed, 1 failed");

    const target = await server.newShop();
    const dry = await run(["push", dir, "--dry-run"], target.secretKey);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("CREATE    template Welcome");
    expect(dry.stdout).toContain("CREATE    scenario Welcome series");
    expect(dry.stdout).toContain("dry run: 2 would change; nothing was written");
    expect((await exported(target.secretKey)).scenarios).toEqual([]);

    expect((await run(["push", dir], target.secretKey)).stdout).toContain("2 changed");
    const again = await run(["push", dir], target.secretKey);
    expect(again.stdout).toContain("UNCHANGED scenario Welcome series");
    expect(again.stdout).toContain("0 changed");
    expect(await exported(target.secretKey)).toEqual(await exported(source.secretKey));

    const edited = JSON.parse(await readFile(file, "utf8"));
    edited.priority = 7;
    await writeFile(file, JSON.stringify(edited));
    const update = await run(["push", dir], target.secretKey);
    expect(update.stdout).toContain("UPDATE    scenario Welcome series");
    expect((await exported(target.secretKey)).scenarios[0].priority).toBe(7);
  });

  it("says what is wrong: a refused key, a bad file, a bad reference", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "cartwheel-flows-"));
    const wrongKey = await run(["pull", dir], "cw_sk_wrong");
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("refused the key in CARTWHEEL_API_KEY");
    expect((await run(["sync", dir], "k")).code).toBe(2);

    const shop = await server.newShop();
    await run(["pull", dir], shop.secretKey);
    await writeFile(
      path.join(dir, "scenarios", "broken.json"),
      JSON.stringify({
        name: "Broken",
        definition: {
          version: 1,
          trigger: { kind: "api" },
          start: "x",
          nodes: [{ id: "x", kind: "send_email", template: "Nowhere" }],
        },
      }),
    );
    const refused = await run(["push", dir], shop.secretKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no template is called "Nowhere"');
    await writeFile(path.join(dir, "scenarios", "broken.json"), "{ nope");
    expect((await run(["push", dir], shop.secretKey)).stderr).toContain(
      "broken.json is not valid JSON",
    );
  });

  it("pulls and pushes YAML: a directory of .yaml files, or one bundle file picked by extension", async () => {
    const source = await server.newShop();
    const { installScenarioBlueprint } = await server.api.data(
      `mutation { installScenarioBlueprint(name: "abandoned_cart") { __typename } }`,
      {},
      source.secretKey,
    );
    expect(installScenarioBlueprint.__typename).toBe("MutationInstallScenarioBlueprintSuccess");
    const dir = await mkdtemp(path.join(tmpdir(), "cartwheel-flows-"));
    const pulled = await run(["pull", dir, "--format", "yaml"], source.secretKey);
    expect(pulled).toMatchObject({ code: 0, stderr: "" });
    expect(pulled.stdout).toMatch(
      /pulled 1 scenarios, \d+ templates, 0 segments into .* yaml files/,
    );
    expect(await readdir(dir)).toEqual(["cartwheel.yaml", "scenarios", "segments", "templates"]);
    const [scenarioFile] = await readdir(path.join(dir, "scenarios"));
    expect(scenarioFile).toBe("abandoned-cart.yaml");
    const file = path.join(dir, "scenarios", "abandoned-cart.yaml");
    const yaml = await readFile(file, "utf8");
    expect(yaml).toMatch(/^name: Abandoned cart\n/);
    const [templateFile] = await readdir(path.join(dir, "templates"));
    expect(await readFile(path.join(dir, "templates", templateFile ?? ""), "utf8")).toMatch(
      /\nhtml: \|/,
    );
    // Pulled again without --format, the directory stays YAML.
    await run(["pull", dir], source.secretKey);
    expect(await readdir(path.join(dir, "scenarios"))).toEqual(["abandoned-cart.yaml"]);

    const unchanged = await run(["push", dir, "--dry-run"], source.secretKey);
    expect(unchanged.stdout).toContain("UNCHANGED scenario Abandoned cart");
    expect(unchanged.stdout).toContain("dry run: 0 would change");

    const target = await server.newShop();
    expect((await run(["push", dir], target.secretKey)).code).toBe(0);
    expect((await run(["push", dir], target.secretKey)).stdout).toContain("0 changed");
    await writeFile(file, yaml.replace(/^priority: 0$/m, "priority: 3"));
    const update = await run(["push", dir], target.secretKey);
    expect(update.stdout).toContain("UPDATE    scenario Abandoned cart");
    expect((await exported(target.secretKey)).scenarios[0].priority).toBe(3);

    // One file: the extension picks the format.
    const bundleFile = path.join(dir, "bundle", "flows.yml");
    expect((await run(["pull", bundleFile], source.secretKey)).code).toBe(0);
    expect(await readFile(bundleFile, "utf8")).toMatch(/^format: cartwheel\.scenarios\/1\n/);
    const whole = await run(["push", bundleFile, "--dry-run"], source.secretKey);
    expect(whole.stdout).toContain("dry run: 0 would change");
    const jsonFile = path.join(dir, "bundle", "flows.json");
    await run(["pull", jsonFile], source.secretKey);
    expect(JSON.parse(await readFile(jsonFile, "utf8")).format).toBe("cartwheel.scenarios/1");
    expect((await run(["pull", jsonFile, "--format", "yaml"], source.secretKey)).code).toBe(2);

    // A broken YAML file is named with its line and column; nothing reaches the API.
    await writeFile(file, `${yaml}definition: [unclosed\n`);
    const broken = await run(["push", dir], target.secretKey);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/scenarios\/abandoned-cart\.yaml:\d+:\d+ is not valid YAML/);
    await writeFile(file, "name: x\ndefinition: !!js/function 'return 1'\n");
    expect((await run(["push", dir], target.secretKey)).stderr).toContain(
      "abandoned-cart.yaml:2:13 is not valid YAML",
    );
    expect((await exported(target.secretKey)).scenarios[0].priority).toBe(3);
  });
});
