import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type FileFormat, FileSyntaxError, formatOfPath } from "./file-formats.ts";
import {
  formatOfDirectory,
  readBundleFile,
  readBundleFiles,
  type ScenarioBundle,
  writeBundleFile,
  writeBundleFiles,
} from "./scenario-files.ts";
import { failuresOf, readScenarioTests, scenarioOf } from "./scenario-tests.ts";

export interface ScenariosIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const environment = z.object({
  CARTWHEEL_API_KEY: z
    .string({ error: "CARTWHEEL_API_KEY is not set: give a secret key (cw_sk_…) of the workspace" })
    .min(1, "CARTWHEEL_API_KEY is empty"),
  CARTWHEEL_API_URL: z
    .url({ error: "CARTWHEEL_API_URL is not a URL" })
    .default("http://127.0.0.1:4000"),
  INIT_CWD: z.string().optional(),
});

const usage = `usage: npm run scenarios -- pull <directory> [--format json|yaml]
       npm run scenarios -- pull <file.json|file.yaml>
       npm run scenarios -- push <directory|file> [--dry-run]
       npm run scenarios -- test <directory|file>
  pull  writes every scenario, template and segment it uses as one file each (JSON unless
        --format yaml, or the directory was pulled as YAML before), or all in one file whose
        extension (.json, .yaml, .yml) names the format
  push  creates or updates them by name; the same files twice change nothing
  test  simulates each tests/*.{json,yaml} beside them and checks the path, status and subjects
  CARTWHEEL_API_KEY (a secret key) and CARTWHEEL_API_URL (default http://127.0.0.1:4000)
`;

const pushQuery = `mutation($bundle: JSONObject!, $dryRun: Boolean) {
  importScenarios(bundle: $bundle, dryRun: $dryRun) {
    __typename
    ... on MutationImportScenariosSuccess { result { dryRun changes { kind name action publishes } } }
    ... on InvalidInputError { message problems { path message } }
    ... on Error { message }
  }
}`;
const pullQuery = `{ exportScenarios { __typename ... on QueryExportScenariosSuccess { data } ... on Error { message } } }`;

/** The flags after `<verb> <target>`, or null when one is unknown or malformed. */
function parseFlags(flags: string[]): { dryRun: boolean; format?: FileFormat } | null {
  const parsed: { dryRun: boolean; format?: FileFormat } = { dryRun: false };
  for (let index = 0; index < flags.length; index++) {
    const flag = flags[index] ?? "";
    if (flag === "--dry-run") parsed.dryRun = true;
    else if (flag === "--format" || flag.startsWith("--format=")) {
      const value = flag === "--format" ? flags[++index] : flag.slice("--format=".length);
      if (value !== "json" && value !== "yaml" && value !== "yml") return null;
      parsed.format = value === "json" ? "json" : "yaml";
    } else return null;
  }
  return parsed;
}

/** Whether the target is one bundle file: it names a format and is not a directory. */
async function isBundleFile(target: string): Promise<boolean> {
  if (!formatOfPath(target)) return false;
  return !(await stat(target).catch(() => null))?.isDirectory();
}

/**
 * `pull <dir|file> [--format json|yaml]`, `push <dir|file> [--dry-run]` and `test <dir|file>`:
 * a workspace's scenarios as files in git. Returns the exit code: 0 done, 1 refused by the API
 * (or a failing test), 2 a usage, configuration or file problem.
 */
export async function scenariosCommand(argv: string[], io: ScenariosIo): Promise<number> {
  const [verb, directory, ...rest] = argv;
  const flags = parseFlags(rest);
  if ((verb !== "pull" && verb !== "push" && verb !== "test") || !directory || !flags) {
    io.stderr.write(usage);
    return 2;
  }
  const env = environment.safeParse(io.env);
  if (!env.success) {
    io.stderr.write(`${env.error.issues.map((issue) => issue.message).join("\n")}\n`);
    return 2;
  }
  const dir = path.resolve(env.data.INIT_CWD ?? process.cwd(), directory);
  const call = (query: string, variables: Record<string, unknown>) =>
    request(env.data.CARTWHEEL_API_URL, env.data.CARTWHEEL_API_KEY, query, variables);
  try {
    if (verb === "pull") {
      const answer = (await call(pullQuery, {})).exportScenarios as {
        __typename: string;
        data?: ScenarioBundle;
        message?: string;
      };
      if (!answer.data) throw new RefusedError(answer.message ?? answer.__typename);
      const counts = `${answer.data.scenarios.length} scenarios, ${answer.data.templates.length} templates, ${answer.data.segments.length} segments`;
      if (await isBundleFile(dir)) {
        if (flags.format && flags.format !== formatOfPath(dir)) {
          throw new FileSyntaxError(`${dir} is not a .${flags.format} file: drop --format`);
        }
        await writeBundleFile(dir, answer.data);
        io.stdout.write(`pulled ${counts} into ${dir}\n`);
        return 0;
      }
      const format = flags.format ?? (await formatOfDirectory(dir)) ?? "json";
      const files = await writeBundleFiles(dir, answer.data, format);
      io.stdout.write(`pulled ${counts} into ${dir} (${files.length} ${format} files)\n`);
      return 0;
    }
    const single = await isBundleFile(dir);
    const bundle = single ? await readBundleFile(dir) : await readBundleFiles(dir);
    if (verb === "test") return await runTests(single ? path.dirname(dir) : dir, bundle, call, io);
    const dryRun = flags.dryRun;
    const answer = (await call(pushQuery, { bundle, dryRun })).importScenarios as {
      __typename: string;
      result?: { changes: { kind: string; name: string; action: string; publishes: boolean }[] };
      message?: string;
      problems?: { path: string[]; message: string }[];
    };
    if (!answer.result) {
      const problems = (answer.problems ?? []).map((p) => `\n  ${p.path.join(".")}: ${p.message}`);
      throw new RefusedError(`${answer.message ?? answer.__typename}${problems.join("")}`);
    }
    for (const change of answer.result.changes) {
      const published = change.publishes ? " (published as a new version)" : "";
      io.stdout.write(
        `${change.action.padEnd(9)} ${change.kind.toLowerCase()} ${change.name}${published}\n`,
      );
    }
    const changed = answer.result.changes.filter((c) => c.action !== "UNCHANGED").length;
    io.stdout.write(
      dryRun ? `dry run: ${changed} would change; nothing was written\n` : `${changed} changed\n`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`scenarios ${verb}: ${(error as Error).message}\n`);
    return error instanceof RefusedError ? 1 : 2;
  }
}

class RefusedError extends Error {}

const simulateQuery = `query($input: SimulateScenarioInput!) {
  simulateScenario(input: $input) {
    __typename
    ... on QuerySimulateScenarioSuccess { data { runs { status reason steps { nodeId email { subject } } } } }
    ... on InvalidInputError { message problems { path message } }
    ... on Error { message }
  }
}`;

async function runTests(
  dir: string,
  bundle: ScenarioBundle,
  call: (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>,
  io: ScenariosIo,
): Promise<number> {
  const tests = await readScenarioTests(dir);
  if (tests.length === 0) {
    io.stderr.write(`scenarios test: no tests in ${path.join(dir, "tests")}\n`);
    return 2;
  }
  let failed = 0;
  for (const test of tests) {
    const scenario = scenarioOf(bundle, test.scenario);
    let failures: string[];
    if (!scenario) failures = [`no scenario file is called "${test.scenario}"`];
    else {
      const answer = (
        await call(simulateQuery, {
          input: {
            namedDefinition: scenario.definition,
            contact: test.contact,
            start: test.start,
            events: test.events ?? [],
            ...(test.payload && { payload: test.payload }),
          },
        })
      ).simulateScenario as {
        data?: { runs: Parameters<typeof failuresOf>[1] };
        message?: string;
        __typename: string;
      };
      failures = answer.data
        ? failuresOf(test, answer.data.runs)
        : [answer.message ?? answer.__typename];
    }
    if (failures.length > 0) failed += 1;
    io.stdout.write(
      failures.length === 0
        ? `✓ ${test.name}\n`
        : `✗ ${test.name} (${test.file})\n${failures.map((f) => `    ${f}\n`).join("")}`,
    );
  }
  io.stdout.write(`${tests.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

async function request(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const endpoint = `${url.replace(/\/+$/, "").replace(/\/graphql$/, "")}/graphql`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const first = body.errors?.[0];
  if (first?.extensions?.code === "UNAUTHENTICATED") {
    throw new RefusedError(`${endpoint} refused the key in CARTWHEEL_API_KEY: ${first.message}`);
  }
  if (first || !body.data) throw new RefusedError(first?.message ?? `HTTP ${response.status}`);
  return body.data;
}
