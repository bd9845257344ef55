/** The ISO 8601 forms segment filters accept: a date, or a date and time with an optional offset. */
export const isoDatePattern =
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/**
 * Parses the ISO 8601 forms segment filters accept, reading a date or time without an offset
 * as UTC (as the database does). Returns undefined for impossible dates such as 2026-02-30.
 *
 * @example parseIsoDate("2026-05-01") // 2026-05-01T00:00:00.000Z
 */
export function parseIsoDate(text: string): Date | undefined {
  if (!isoDatePattern.test(text)) return undefined;
  const [datePart = "", timePart] = text.split(/[T ]/);
  const hasOffset = timePart !== undefined && /(Z|[+-]\d{2}(:?\d{2})?)$/.test(timePart);
  const normalised = `${datePart}T${timePart ?? "00:00"}${hasOffset ? "" : "Z"}`;
  const date = new Date(normalised.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (Number.isNaN(date.getTime())) return undefined;
  const [year, month, day] = datePart.split("-").map(Number);
  const calendar = new Date(`${datePart}T00:00:00Z`);
  const real =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() + 1 === month &&
    calendar.getUTCDate() === day;
  return real ? date : undefined;
}
