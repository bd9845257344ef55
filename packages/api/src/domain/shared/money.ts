const digitsByCurrency = new Map<string, number>();

/** How many minor units a currency has after the decimal point (2 for EUR, 0 for JPY). */
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * An amount as events carry it (the Segment spec's decimal `price: 49.9` in the currency) in
 * the minor units templates format (`4990` cents). Non-numbers are null.
 *
 * @example toMinorUnits(49, "EUR") // 4900
 */
export function toMinorUnits(amount: unknown, currency: string): number | null {
  const value = typeof amount === "string" ? Number(amount) : amount;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return Math.round(value * 10 ** currencyDigits(currency));
}

/** The largest amount in minor units Cartwheel stores: exact as a JavaScript number. */
export const maxMinorUnits = Number.MAX_SAFE_INTEGER;

/**
 * An amount given to the API in major units (`49.9` EUR) as minor units (`4990`), or a message
 * saying why it cannot be one: more decimals than the currency has (`49.999` EUR, `5.5` JPY),
 * negative, or too large. Unlike `toMinorUnits` (for events, which round), nothing is rounded
 * away silently.
 *
 * @example exactMinorUnits(49.9, "EUR") // { minor: 4990 }
 * @example exactMinorUnits(5.5, "JPY") // { problem: "has more decimals than JPY allows (0)" }
 */
export function exactMinorUnits(
  amount: number,
  currency: string,
): { minor: number } | { problem: string } {
  const digits = currencyDigits(currency);
  const scaled = amount * 10 ** digits;
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    return { problem: `has more decimals than ${currency} allows (${digits})` };
  }
  if (minor < 0) return { problem: "must not be negative" };
  if (minor > maxMinorUnits) return { problem: "is too large" };
  return { minor };
}

/**
 * Minor units as a decimal string in major units, with the currency's digits.
 *
 * @example formatMajorUnits(4990, "EUR") // "49.90"
 * @example formatMajorUnits(500, "JPY") // "500"
 */
export function formatMajorUnits(minor: number | bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const value = BigInt(minor);
  const sign = value < 0n ? "-" : "";
  const absolute = (value < 0n ? -value : value).toString().padStart(digits + 1, "0");
  if (digits === 0) return `${sign}${absolute}`;
  return `${sign}${absolute.slice(0, -digits)}.${absolute.slice(-digits)}`;
}
