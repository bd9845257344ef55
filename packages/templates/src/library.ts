import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EmailSource } from "./compile-email.ts";
import type { TemplateData } from "./template-data.ts";

/** Marketing emails need consent and carry an unsubscribe link; transactional ones do not. */
export const TemplateKind = {
  Marketing: "MARKETING",
  Transactional: "TRANSACTIONAL",
} as const;
export type TemplateKind = (typeof TemplateKind)[keyof typeof TemplateKind];

/** A ready-made email of the built-in library, with sample data it renders strictly against. */
export interface LibraryTemplate extends EmailSource {
  /** Folder name under `emails/`, e.g. `"abandoned-cart"`. */
  key: string;
  name: string;
  description: string;
  kind: TemplateKind;
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  fixture: TemplateData;
  /** Variables a send must give (`order.number`, `cart.items`), from `meta.json`'s `requires`. */
  requires: string[];
}

interface TemplateMeta {
  name: string;
  description: string;
  kind: TemplateKind;
  requires?: string[];
}

const emailsDirectory = fileURLToPath(new URL("../emails/", import.meta.url));

function readOptional(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

function loadLibraryTemplate(key: string): LibraryTemplate {
  const folder = `${emailsDirectory}${key}/`;
  const meta = readJson<TemplateMeta>(`${folder}meta.json`);
  if (!Object.values(TemplateKind).includes(meta.kind)) {
    throw new Error(`emails/${key}/meta.json: unknown kind ${meta.kind}`);
  }
  return {
    key,
    name: meta.name,
    description: meta.description,
    kind: meta.kind,
    subject: readFileSync(`${folder}subject.liquid`, "utf8").trim(),
    preheader: readOptional(`${folder}preheader.liquid`)?.trim() ?? null,
    html: readFileSync(`${folder}body.liquid`, "utf8"),
    text: readOptional(`${folder}text.liquid`),
    fixture: readJson<TemplateData>(`${folder}fixture.json`),
    requires: meta.requires ?? [],
  };
}

/**
 * The built-in email library (welcome, abandoned-cart, order-confirmation…), read once from the
 * package's `emails/<key>/` folders: `meta.json`, `subject.liquid`, optional `preheader.liquid`
 * and `text.liquid`, `body.liquid` (a fragment placed in the base layout) and `fixture.json`.
 *
 * @example
 * const cart = libraryTemplates.find((template) => template.key === "abandoned-cart");
 */
export const libraryTemplates: readonly LibraryTemplate[] = readdirSync(emailsDirectory, {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map(loadLibraryTemplate);
