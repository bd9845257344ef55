interface CurrencyFormat {
  formatter: Intl.NumberFormat;
  /** The currency's minor-unit digits, read once: `resolvedOptions()` is slow per call. */
  decimals: number;
}

const formats = new Map<string, CurrencyFormat>();

function currencyFormat(currency: string, locale: string): CurrencyFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    format = { formatter, decimals: formatter.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(key, format);
  }
  return format;
}

/**
 * Formats an amount in minor units (cents) as money, using the currency's own number of
 * decimals (2 for EUR, 0 for JPY, 3 for KWD).
 *
 * @example formatMoney(1999, "EUR", "de-DE") // "19,99 €"
 */
export function formatMoney(amountInMinorUnits: number, currency: string, locale: string): string {
  const { formatter, decimals } = currencyFormat(currency.toUpperCase(), locale);
  return formatter.format(amountInMinorUnits / 10 ** decimals);
}
