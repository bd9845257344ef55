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
