/**
 * Reading values out of event properties, which come from browsers and shops' code: anything
 * of the wrong type is null rather than an error, and text is trimmed and capped.
 */

/** A non-empty string, trimmed and cut to `max` characters, or null. */
export function eventText(value: unknown, max = 255): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : null;
}

/** An id as events carry it: a string, or an integer (`1042` is `"1042"`), or null. */
export function eventId(value: unknown): string | null {
  return typeof value === "number" && Number.isSafeInteger(value)
    ? String(value)
    : eventText(value);
}

/**
 * An absolute http(s) URL, or null: links from events end up in email, so `javascript:` and
 * friends never get through.
 */
export function eventLink(value: unknown): string | null {
  const candidate = eventText(value, 2000);
  if (!candidate) return null;
  try {
    const { protocol } = new URL(candidate);
    return protocol === "http:" || protocol === "https:" ? candidate : null;
  } catch {
    return null;
  }
}

/** A three-letter currency code, else `fallback`. */
export function eventCurrency(value: unknown, fallback: string): string {
  return typeof value === "string" && /^[A-Z]{3}$/.test(value) ? value : fallback;
}
