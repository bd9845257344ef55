const namedStyles = ["short", "medium", "long", "full"] as const;
type NamedStyle = (typeof namedStyles)[number];

/** True for the Intl date styles the `date` filter accepts instead of a strftime pattern. */
export function isNamedDateStyle(format: string): format is NamedStyle {
  return (namedStyles as readonly string[]).includes(format);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Formats a date with an Intl date style in a locale and IANA time zone.
 *
 * @example formatDateStyle(new Date("2025-03-01T23:30:00Z"), "long", "en-US", "Asia/Tokyo")
 * // "March 2, 2025"
 */
export function formatDateStyle(
  date: Date,
  style: NamedStyle,
  locale: string,
  timeZone: string,
): string {
  const key = `${style}|${locale}|${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone });
    formatters.set(key, formatter);
  }
  return formatter.format(date);
}

/**
 * Parses what Liquid's `date` accepts: an ISO string, Unix seconds (number or digits), a `Date`,
 * or `"now"`; `null` when it is no date.
 */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (value === "now" || value === "today") return new Date();
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) {
    return new Date(Number(value) * 1000);
  }
  if (typeof value === "string") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}
