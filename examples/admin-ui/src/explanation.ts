/**
 * A filter's outcome for one contact (`ExplainedCondition`, from `explainSegment` and from a
 * simulated condition step) drawn as a tree in words: each condition with ✓ or ✗, what was
 * measured for the contact, and the events or orders it counted.
 */
import { formatDate, h } from "./dom.ts";

export interface Explained {
  kind: string;
  matches: boolean;
  /** JSON of what was measured (a value, a count, a date), or null. */
  actual: string | null;
  condition: Record<string, unknown>;
  events?: { name: string; occurredAt: string }[];
  orders?: { orderId: string; orderedAt: string; netTotal: string; currency: string }[];
  children?: Explained[];
}

const leafFields = "kind matches actual condition";
const listFields = `events { name occurredAt } orders { orderId orderedAt netTotal currency }`;

/**
 * The selection of an `ExplainedCondition` `levels` deep (GraphQL cannot recurse, and the API
 * caps a query's depth). Default 4: `and` of `or`s of conditions with room to spare.
 */
export function explainedSelection(levels = 4, withLists = true): string {
  const fields = withLists ? `${leafFields} ${listFields}` : leafFields;
  return levels <= 1
    ? fields
    : `${fields} children { ${explainedSelection(levels - 1, withLists)} }`;
}

const operators: Record<string, string> = {
  EQUALS: "is",
  NOT_EQUALS: "is not",
  CONTAINS: "contains",
  STARTS_WITH: "starts with",
  GREATER_THAN: "is more than",
  LESS_THAN: "is less than",
  AT_LEAST: "is at least",
  AT_MOST: "is at most",
  IN: "is one of",
};

/** "is “pro”", "is between 2 and 5", "is in the last 30 days"… */
function comparison(c: Record<string, unknown>): string {
  const quoted = (v: unknown) =>
    typeof v === "string" && !/^-?[\d.]+$/.test(v) ? `“${v}”` : String(v);
  switch (c.op) {
    case "BETWEEN":
      return `is between ${quoted(c.min)} and ${quoted(c.max)}`;
    case "EXISTS":
      return "is set";
    case "NOT_EXISTS":
      return "is not set";
    case "IN_LAST_DAYS":
      return `is in the last ${c.days} days`;
    case "MORE_THAN_DAYS_AGO":
      return `is more than ${c.days} days ago`;
    case "ANNIVERSARY_WITHIN_DAYS":
      return `has its anniversary within ${c.days} days`;
    case "IN":
      return `is one of ${((c.values as unknown[]) ?? []).map(quoted).join(", ")}`;
    default:
      return `${operators[String(c.op)] ?? String(c.op).toLowerCase()} ${quoted(c.value)}`;
  }
}

function within(c: Record<string, unknown>): string {
  if (c.withinMinutes !== undefined) return ` in the last ${c.withinMinutes} minutes`;
  if (c.withinHours !== undefined) return ` in the last ${c.withinHours} hours`;
  if (c.withinDays !== undefined) return ` in the last ${c.withinDays} days`;
  return "";
}

const humanize = (name: unknown) => String(name).toLowerCase().replace(/_/g, " ");

/** A condition in words, e.g. `“Product Viewed” at least 2 times in the last 7 days`. */
export function conditionText(kind: string, condition: Record<string, unknown>): string {
  const c = (condition[kind] ?? condition) as Record<string, unknown>;
  switch (kind) {
    case "and":
      return "All of these";
    case "or":
      return "Any of these";
    case "not":
      return "None of this";
    case "property":
      return `Property “${c.key}” ${comparison(c)}`;
    case "field":
      return `${humanize(c.name).replace(/^./, (first) => first.toUpperCase())} ${comparison(c)}`;
    case "tag":
      return c.has === false ? `Does not have tag “${c.name}”` : `Has tag “${c.name}”`;
    case "event": {
      const times =
        c.exactly !== undefined
          ? `exactly ${c.exactly} times`
          : c.atMost !== undefined
            ? `at most ${c.atMost} times`
            : `at least ${c.atLeast ?? 1} ${c.atLeast === 1 || c.atLeast === undefined ? "time" : "times"}`;
      const where = ((c.where as Record<string, unknown>[] | undefined) ?? [])
        .map((p) => ` with “${p.key}” ${comparison(p)}`)
        .join(" and");
      return `${c.name ? `“${c.name}”` : "Any event"} ${times}${within(c)}${where}`;
    }
    case "eventTime":
      return `${c.which === "FIRST" ? "First" : "Last"} “${c.name}” ${comparison(c)}`;
    case "orders":
      return `Orders: ${humanize(c.metric)} ${comparison(c)}`;
    case "purchased":
      return `Bought ${c.productId ? `product “${c.productId}”` : c.category ? `from “${c.category}”` : "anything"}${within(c)}`;
    case "score":
      return c.min !== undefined && c.max !== undefined
        ? `Score between ${c.min} and ${c.max}`
        : c.min !== undefined
          ? `Score at least ${c.min}`
          : `Score at most ${c.max}`;
    case "consent":
      return `Consent is ${((c.statuses as string[] | undefined) ?? []).map(humanize).join(" or ")}`;
    case "inSegment":
      return c.isMember === false ? "Not in the segment below" : "In the segment below";
    default:
      return `${humanize(kind)} ${JSON.stringify(c)}`;
  }
}

/** What was measured, in words: "3 times", "“free”", "no value". */
export function actualText(kind: string, actual: string | null): string | null {
  if (actual === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(actual);
  } catch {
    value = actual;
  }
  if (value === null) return kind === "eventTime" ? "never happened" : "no value";
  if (kind === "event" && typeof value === "number") return value === 1 ? "once" : `${value} times`;
  if (kind === "purchased" && typeof value === "number")
    return value === 1 ? "1 order" : `${value} orders`;
  if (kind === "consent" && typeof value === "string") return humanize(value);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDate(value);
  if (typeof value === "string") return `“${value}”`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** One condition and its parts, as nested list items (put it in a `ul.explanation`). */
export function explanationTree(node: Explained): HTMLElement {
  const measured = actualText(node.kind, node.actual);
  const counted = [
    ...(node.events ?? []).map((e) =>
      h("li", { testid: "explained-event" }, `“${e.name}” · ${formatDate(e.occurredAt)}`),
    ),
    ...(node.orders ?? []).map((o) =>
      h(
        "li",
        { testid: "explained-order" },
        `Order ${o.orderId} · ${o.netTotal} ${o.currency} · ${formatDate(o.orderedAt)}`,
      ),
    ),
  ];
  return h(
    "li",
    {
      class: node.matches ? "explain-yes" : "explain-no",
      testid: "explanation",
      "data-kind": node.kind,
      "data-matches": String(node.matches),
    },
    h(
      "span",
      { class: "explain-mark", "aria-label": node.matches ? "passes" : "fails" },
      node.matches ? "✓" : "✗",
    ),
    h(
      "span",
      { class: "explain-label", testid: "explanation-label" },
      conditionText(node.kind, node.condition),
    ),
    measured !== null
      ? h("span", { class: "explain-actual", testid: "explanation-actual" }, `contact: ${measured}`)
      : null,
    counted.length > 0 ? h("ul", { class: "explain-counted" }, counted) : null,
    node.children?.length ? h("ul", {}, node.children.map(explanationTree)) : null,
  );
}
