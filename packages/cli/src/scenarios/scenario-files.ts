import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type FileFormat,
  FileSyntaxError,
  formatOfPath,
  formatValue,
  parseText,
} from "./file-formats.ts";

/** A bundle as `exportScenarios` returns it and `importScenarios` takes it. */
export interface ScenarioBundle {
  format: string;
  templates: { name: string }[];
  segments: { name: string }[];
  scenarios: { name: string }[];
}

const parts = ["templates", "segments", "scenarios"] as const;

/** A file name from a name: lower-case letters, digits and dashes ("Abandoned cart" → "abandoned-cart"). */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return slug || "unnamed";
}

const extensions = [".json", ".yaml", ".yml"];
const isBundleFile = (file: string) => formatOfPath(file) !== null;
const headerNames = extensions.map((extension) => `cartwheel${extension}`);
const extensionOf = (format: FileFormat) => (format === "json" ? ".json" : ".yaml");

/**
 * Writes a bundle as one readable file per template, segment and scenario under
 * `directory/{templates,segments,scenarios}/`, in JSON or YAML, with a `cartwheel.json` or
 * `cartwheel.yaml` header, replacing the JSON and YAML files there (they are the workspace's, as
 * of this pull). Returns the files written.
 */
export async function writeBundleFiles(
  directory: string,
  bundle: ScenarioBundle,
  format: FileFormat = "json",
): Promise<string[]> {
  const written: string[] = [];
  const root = await ensureDir(directory);
  for (const header of headerNames) await rm(path.join(root, header), { force: true });
  await writeFile(
    path.join(root, `cartwheel${extensionOf(format)}`),
    formatValue({ format: bundle.format }, format),
  );
  for (const part of parts) {
    const dir = await ensureDir(path.join(directory, part));
    for (const file of await readdir(dir)) {
      if (isBundleFile(file)) await rm(path.join(dir, file));
    }
    const used = new Set<string>();
    for (const item of bundle[part]) {
      let slug = slugOf(item.name);
      for (let n = 2; used.has(slug); n++) slug = `${slugOf(item.name)}-${n}`;
      used.add(slug);
      const file = path.join(dir, `${slug}${extensionOf(format)}`);
      await writeFile(file, formatValue(item, format));
      written.push(file);
    }
  }
  return written;
}

/** The format a pulled directory is in (by its header file), or null when it has none. */
export async function formatOfDirectory(directory: string): Promise<FileFormat | null> {
  const files = await readdir(directory).catch(() => [] as string[]);
  const header = headerNames.find((name) => files.includes(name));
  return header ? formatOfPath(header) : null;
}

/**
 * Reads the files `writeBundleFiles` writes (edited or not) back into one bundle. Each file is
 * read by its extension, so a directory may mix JSON and YAML.
 */
export async function readBundleFiles(directory: string): Promise<ScenarioBundle> {
  const files = await readdir(directory).catch(() => [] as string[]);
  const headerName = headerNames.find((name) => files.includes(name));
  if (!headerName) {
    throw new FileSyntaxError(`${directory} has no cartwheel.json or cartwheel.yaml: pull first`);
  }
  const header = (await readParsed(path.join(directory, headerName), headerName)) as {
    format?: string;
  } | null;
  const bundle: ScenarioBundle = {
    format: header?.format ?? "",
    templates: [],
    segments: [],
    scenarios: [],
  };
  for (const part of parts) {
    const dir = path.join(directory, part);
    const names = (await readdir(dir).catch(() => [] as string[])).filter(isBundleFile).sort();
    for (const file of names) {
      bundle[part].push((await readParsed(path.join(dir, file), path.join(part, file))) as never);
    }
  }
  return bundle;
}

/** Writes a whole bundle to one file, as its extension (.json, .yaml, .yml) says. */
export async function writeBundleFile(file: string, bundle: ScenarioBundle): Promise<void> {
  await ensureDir(path.dirname(file));
  await writeFile(file, formatValue(bundle, formatOfPath(file) ?? "json"));
}

/** Reads a bundle written by `writeBundleFile`, or by hand, as its extension says. */
export async function readBundleFile(file: string): Promise<ScenarioBundle> {
  const bundle = (await readParsed(file, path.basename(file))) as Partial<ScenarioBundle> | null;
  return { format: "", templates: [], segments: [], scenarios: [], ...bundle };
}

/** Reads and parses one file by its extension; `shown` is its name in error messages. */
export async function readParsed(file: string, shown: string): Promise<unknown> {
  return parseText(await readFile(file, "utf8"), formatOfPath(file) ?? "json", shown);
}

async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
