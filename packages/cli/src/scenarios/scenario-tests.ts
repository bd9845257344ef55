import { readdir } from "node:fs/promises";
import path from "node:path";
import { formatOfPath } from "./file-formats.ts";
import { readParsed, type ScenarioBundle } from "./scenario-files.ts";

/** A fixture of `<dir>/tests/*.{json,yaml,yml}`: a contact and events, and the path they must take. */
export interface ScenarioTest {
  file: string;
  name: string;
  /** The scenario's name, as in its file under `scenarios/`. */
  scenario: string;
  contact: Record<string, unknown>;
  start: string;
  events?: { at: string; name: string; properties?: Record<string, unknown> }[];
  payload?: Record<string, unknown>;
  expect: {
    /** The first run's status (COMPLETED, CONVERTED, EXITED, WAITING…). */
    status?: string;
    /** The node ids the first run passed through, in order. */
    path?: string[];
    /** The subjects of the mails it sent, in order. */
    subjects?: string[];
  };
}

/** Reads every test fixture under `<dir>/tests`, sorted by file name. */
export async function readScenarioTests(directory: string): Promise<ScenarioTest[]> {
  const dir = path.join(directory, "tests");
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((file) => formatOfPath(file) !== null)
    .sort();
  const tests: ScenarioTest[] = [];
  for (const file of files) {
    const parsed = (await readParsed(path.join(dir, file), `tests/${file}`)) as Omit<
      ScenarioTest,
      "file"
    >;
    tests.push({ ...parsed, name: parsed.name ?? file, file: `tests/${file}` });
  }
  return tests;
}

interface SimulatedRun {
  status: string;
  reason: string | null;
  steps: { nodeId: string; email: { subject: string } | null }[];
}

/** What differs between a test's expectations and the simulated runs; empty when it passes. */
export function failuresOf(test: ScenarioTest, runs: SimulatedRun[]): string[] {
  const run = runs[0];
  if (!run) return ["no run started"];
  const failures: string[] = [];
  const expected = test.expect;
  if (expected.status && run.status !== expected.status) {
    const why = run.reason ? ` (${run.reason})` : "";
    failures.push(`status: expected ${expected.status}, got ${run.status}${why}`);
  }
  const pathTaken = run.steps.map((step) => step.nodeId);
  if (expected.path && pathTaken.join(" → ") !== expected.path.join(" → ")) {
    failures.push(`path: expected ${expected.path.join(" → ")}, got ${pathTaken.join(" → ")}`);
  }
  const subjects = run.steps.flatMap((step) => (step.email ? [step.email.subject] : []));
  if (expected.subjects && JSON.stringify(subjects) !== JSON.stringify(expected.subjects)) {
    failures.push(
      `subjects: expected ${JSON.stringify(expected.subjects)}, got ${JSON.stringify(subjects)}`,
    );
  }
  return failures;
}

/** The scenario a test names, from the bundle's files. */
export function scenarioOf(bundle: ScenarioBundle, name: string) {
  return (bundle.scenarios as { name: string; definition?: unknown }[]).find(
    (scenario) => scenario.name === name,
  );
}
