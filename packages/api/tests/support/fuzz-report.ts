/** A generated value printed short: long strings and lists abbreviated, so failures stay readable. */
export function abbreviate(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    return value.length > 80 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
  }
  if (depth > 6) return "…(deeper)";
  if (Array.isArray(value)) {
    const shown = value.slice(0, 3).map((item) => abbreviate(item, depth + 1));
    return value.length > 3 ? [...shown, `…(${value.length} items)`] : shown;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    const shown = entries.slice(0, 12).map(([k, v]) => [k, abbreviate(v, depth + 1)]);
    if (entries.length > 12) shown.push(["…", `${entries.length} keys`]);
    return Object.fromEntries(shown);
  }
  return value;
}

/** Counts of outcomes per subject, printed as a table when a fuzz file ends. */
export function makeTally() {
  const counts = new Map<string, Map<string, number>>();
  return {
    add(subject: string, outcome: string) {
      const row = counts.get(subject) ?? new Map<string, number>();
      row.set(outcome, (row.get(outcome) ?? 0) + 1);
      counts.set(subject, row);
    },
    total: () =>
      [...counts.values()].reduce(
        (sum, row) => sum + [...row.values()].reduce((a, b) => a + b, 0),
        0,
      ),
    subjects: () => counts.size,
    print(title: string) {
      const lines = [...counts].map(
        ([subject, row]) =>
          `  ${subject.padEnd(28)} ${[...row].map(([outcome, n]) => `${outcome} ${n}`).join(", ")}`,
      );
      console.log(`${title}\n${lines.join("\n")}`);
    },
  };
}
