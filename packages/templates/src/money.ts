const formatters = new Map<string, Intl.NumberFormat>();

function currencyFormatter(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Formats an amount in minor units (cents) as money, using the currency's own number of
 * decimals (2 for EUR, 0 for JPY, 3 for KWD).
 *
 * @example formatMoney(1999, "EUR", "de-DE") // "19,99 €"
 */
export function formatMoney(amountInMinorUnits: number, currency: string, locale: string): string {
  const formatter = currencyFormatter(currency.toUpperCase(), locale);
  const decimals = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(amountInMinorUnits / 10 ** decimals);
}
