import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import type { NodeKind, ScenarioTrigger } from "../domain/scenarios/definition/definition.ts";
import { InvalidInputError } from "../domain/shared/errors.ts";
import type { ScenarioDefinitionInputShape } from "./scenario-definition-input.ts";
import { decodeFilterIds } from "./segment-filter-input.ts";

/** The fields of a scenario document that name rows, and the GraphQL type of each. */
const references: Record<string, string> = {
  templateId: "Template",
  segmentId: "Segment",
  scenarioId: "Scenario",
};

function walk(value: unknown, convert: (key: string, value: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, convert));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      typeof inner === "string" && key in references ? convert(key, inner) : walk(inner, convert),
    ]),
  );
}

/**
 * A scenario document as GraphQL clients write it, with global ids (`"VGVtcGxhdGU6…"`) where
 * it names templates, segments and scenarios, turned into row ids. Plain row ids pass as they
 * are, so a document kept in a file works either way; a global id of the wrong type is left
 * for validation to refuse.
 */
export function decodeDocumentIds(document: unknown): unknown {
  return walk(document, (key, value) => {
    try {
      const decoded = decodeGlobalID(value);
      if (decoded.typename === references[key]) return decoded.id;
    } catch {}
    return value;
  });
}

/** The stored document with global ids, as clients read it. */
export function encodeDocumentIds(document: unknown): unknown {
  return walk(document, (key, value) => encodeGlobalID(references[key] as string, value));
}

type NodeInput = ScenarioDefinitionInputShape["nodes"][number];
type TriggerInput = ScenarioDefinitionInputShape["trigger"];
type MemberOf<OneOf> = OneOf extends unknown ? keyof OneOf : never;

// Keyed by the document's kinds, so a kind added to the format fails to typecheck until the
// typed input has a member for it.
const nodeMembers = {
  delay: "delay",
  wait_for_event: "waitForEvent",
  condition: "condition",
  split: "split",
  send_email: "sendEmail",
  add_tag: "addTag",
  remove_tag: "removeTag",
  adjust_score: "adjustScore",
  set_property: "setProperty",
  unsubscribe: "unsubscribe",
  start_scenario: "startScenario",
  webhook: "webhook",
  exit: "exit",
} as const satisfies Record<NodeKind, MemberOf<NodeInput>>;
const triggerMembers = {
  event: "event",
  segment_entered: "segmentEntered",
  segment_exited: "segmentExited",
  tag_added: "tagAdded",
  score_crossed: "scoreCrossed",
  date: "date",
  api: "api",
} as const satisfies Record<ScenarioTrigger["kind"], MemberOf<TriggerInput>>;
const kindOf = (members: Record<string, string>) =>
  Object.fromEntries(Object.entries(members).map(([kind, member]) => [member, kind]));
const nodeKindOf = kindOf(nodeMembers);
const triggerKindOf = kindOf(triggerMembers);

/**
 * A ScenarioDefinitionInput written out as the definition document it stands for: each
 * @oneOf member becomes its snake_case `kind`, fields left out or null are dropped, segment
 * filters are converted as segments' are (`decodeFilterIds`) and the ids it names are decoded
 * as `decodeDocumentIds` decodes a document's. Validation is the document's own.
 *
 * @example documentFromInput({ version: 1, trigger: { api: true }, start: "a", nodes: [{ exit: { id: "a" } }] })
 * // { version: 1, trigger: { kind: "api" }, start: "a", nodes: [{ id: "a", kind: "exit" }] }
 */
export function documentFromInput(input: ScenarioDefinitionInputShape): unknown {
  const { trigger, audience, nodes, ...rest } = input;
  return decodeDocumentIds({
    ...(present(rest) as object),
    trigger: triggerDocument(trigger),
    ...(audience != null && { audience: decodeFilterIds(audience, ["definition", "audience"]) }),
    nodes: nodes.map(nodeDocument),
  });
}

function triggerDocument(input: TriggerInput): Record<string, unknown> {
  const [member, fields] = onlyMember(input);
  if (member === "api") {
    trueOrRefuse(fields, ["definition", "trigger", "api"]);
    return { kind: "api" };
  }
  return { kind: triggerKindOf[member], ...(present(fields) as object) };
}

function nodeDocument(input: NodeInput): Record<string, unknown> {
  const [member, fields] = onlyMember(input);
  // JSON values (`data`, `body`, `value`) are the client's own: their nulls stay.
  const { id, filter, fact, data, body, value, ...rest } = fields as Record<string, unknown>;
  const at = ["definition", "nodes", String(id)];
  return {
    id,
    kind: nodeKindOf[member],
    ...(present(rest) as object),
    ...(filter != null && { filter: decodeFilterIds(filter, [...at, "filter"]) }),
    ...(fact != null && { fact: runFactDocument(fact as RunFactInput, [...at, "fact"]) }),
    ...(data != null && { data }),
    ...(body != null && { body }),
    ...(value !== undefined && { value }),
  };
}

type RunFactInput = { emailOpened?: string; emailClicked?: string; cartHasItems?: boolean };

function runFactDocument(input: RunFactInput, path: string[]): Record<string, unknown> {
  const [member, value] = onlyMember(input);
  if (member === "cartHasItems") {
    trueOrRefuse(value, [...path, "cartHasItems"]);
    return { kind: "cart_has_items" };
  }
  return { kind: member === "emailOpened" ? "email_opened" : "email_clicked", node: value };
}

/** The one field a @oneOf input has set (GraphQL has checked there is exactly one). */
function onlyMember<OneOf extends object>(input: OneOf): [MemberOf<OneOf>, unknown] {
  const [entry] = Object.entries(input).filter(([, value]) => value != null);
  return entry as [MemberOf<OneOf>, unknown];
}

function trueOrRefuse(value: unknown, path: string[]) {
  if (value !== true) throw InvalidInputError.field(path, "set true, or choose another field");
}

/** Drops fields left out or null at every level: the document writes "none" by leaving out. */
function present(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(present);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, inner]) => inner != null)
      .map(([key, inner]) => [key, present(inner)]),
  );
}

/**
 * The definition a create or update input carries: `definition` (the document) as it is, or
 * `definitionInput` written out as one; undefined when neither is given. Both at once is
 * refused, as InvalidInputError, before anything is saved.
 */
export function definitionOf(input: {
  definition?: Record<string, unknown> | null | undefined;
  definitionInput?: ScenarioDefinitionInputShape | null | undefined;
}): unknown {
  if (input.definition != null && input.definitionInput != null) {
    throw InvalidInputError.field(
      ["definitionInput"],
      "give the definition once: as definition (the JSON document) or as definitionInput, not both",
    );
  }
  if (input.definitionInput != null) return documentFromInput(input.definitionInput);
  if (input.definition != null) return decodeDocumentIds(input.definition);
  return undefined;
}
