import { isAlias, LineCounter, parseDocument, stringify, visit } from "yaml";
import { InvalidInputError } from "../../shared/errors.ts";
import type { ParsedBundle } from "./bundle.ts";

/** The most YAML text `parseBundleYaml` reads (10 MB), about what 500 templates take. */
export const maxYamlLength = 10_000_000;
/** Aliases (`*name`) a document may use; each may expand to at most `maxAliasCount` nodes. */
const maxAliases = 100;
const maxAliasCount = 100;

/** A YAML text that is not a plain document of maps, lists and scalars; nothing was changed. */
export class YamlSyntaxError extends InvalidInputError {
  override name = "YamlSyntaxError";
  constructor(
    readonly field: string,
    /** 1-based, where the problem starts. */
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    const message = `line ${line}, column ${column}: ${reason}`;
    super(`${field}: ${message}`, [{ path: [field], message }]);
  }
}

/**
 * A bundle as YAML: block style, long lines kept whole, multi-line strings (HTML, Liquid) as
 * `|` literals, and never an anchor or alias, so it reads and diffs like the JSON.
 *
 * @example writeFile("flows.yaml", bundleToYaml(await exportScenarios(workspaceId)))
 */
export function bundleToYaml(bundle: ParsedBundle | Record<string, unknown>): string {
  return stringify(bundle, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Reads YAML into plain data for `importScenarios`, refusing with a `YamlSyntaxError` (line and
 * column) anything that is not one document of maps, lists and scalars of the YAML 1.2 core
 * schema: a syntax error, a duplicate or non-string key, a tag (`!!binary`, `!foo`), more than
 * 100 aliases or an alias expanding past 100 nodes (the "billion laughs"), or text over 10 MB.
 * Dates stay strings; `field` names the input in the error's path (default "yaml").
 *
 * @example await importScenarios(workspaceId, parseBundleYaml(text), { dryRun: true })
 */
export function parseBundleYaml(text: string, field = "yaml"): unknown {
  if (text.length > maxYamlLength) {
    throw InvalidInputError.field([field], `is over ${maxYamlLength} characters`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    schema: "core",
    customTags: [],
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: true,
    stringKeys: true,
  });
  const refuse = (offset: number, reason: string): never => {
    const { line, col } = lines.linePos(offset);
    throw new YamlSyntaxError(field, line, col, reason);
  };
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) refuse(problem.pos[0], problem.message);
  let aliases = 0;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node) && ++aliases > maxAliases) {
        refuse(node.range?.[0] ?? 0, `more than ${maxAliases} aliases`);
      }
      if (node.tag && !node.tag.startsWith("tag:yaml.org,2002:")) {
        refuse(node.range?.[0] ?? 0, `the tag ${node.tag} is not allowed`);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError) {
      return refuse(0, `aliases expand too far (${error.message})`);
    }
    throw error;
  }
}
