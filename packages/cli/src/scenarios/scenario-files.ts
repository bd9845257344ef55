import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

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

/**
 * Writes a bundle as one readable JSON file per template, segment and scenario under
 * `directory/{templates,segments,scenarios}/`, replacing the JSON files there (they are the
 * workspace's, as of this pull). Returns the files written.
 */
export async function writeBundleFiles(
  directory: string,
  bundle: ScenarioBundle,
): Promise<string[]> {
  const written: string[] = [];
  await writeFile(
    path.join(await ensureDir(directory), "cartwheel.json"),
    `${JSON.stringify({ format: bundle.format }, null, 2)}\n`,
  );
  for (const part of parts) {
    const dir = await ensureDir(path.join(directory, part));
    for (const file of await readdir(dir)) {
      if (file.endsWith(".json")) await rm(path.join(dir, file));
    }
    const used = new Set<string>();
    for (const item of bundle[part]) {
      let slug = slugOf(item.name);
      for (let n = 2; used.has(slug); n++) slug = `${slugOf(item.name)}-${n}`;
      used.add(slug);
      const file = path.join(dir, `${slug}.json`);
      await writeFile(file, `${JSON.stringify(item, null, 2)}\n`);
      written.push(file);
    }
  }
  return written;
}

/** Reads the files `writeBundleFiles` writes (edited or not) back into one bundle. */
export async function readBundleFiles(directory: string): Promise<ScenarioBundle> {
  const header = JSON.parse(await readFile(path.join(directory, "cartwheel.json"), "utf8")) as {
    format?: string;
  };
  const bundle: ScenarioBundle = {
    format: header.format ?? "",
    templates: [],
    segments: [],
    scenarios: [],
  };
  for (const part of parts) {
    const dir = path.join(directory, part);
    const files = (await readdir(dir).catch(() => [] as string[]))
      .filter((file) => file.endsWith(".json"))
      .sort();
    for (const file of files) {
      const text = await readFile(path.join(dir, file), "utf8");
      try {
        bundle[part].push(JSON.parse(text));
      } catch (error) {
        throw new Error(`${path.join(part, file)} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
  return bundle;
}

async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
