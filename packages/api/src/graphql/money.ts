import { formatMajorUnits } from "../domain/shared/money.ts";
import { builder } from "./builder.ts";

/** An amount as the domain stores it: minor units of a currency. */
export interface MoneyValue {
  minor: bigint | number;
  currency: string;
}

/** The Money object for a stored amount, or null when there is none. */
export function money(minor: bigint | number | null, currency: string): MoneyValue | null {
  return minor === null ? null : { minor, currency };
}

export const Money = builder.objectRef<MoneyValue>("Money").implement({
  description:
    "An amount of money. Inputs take major units (`49.9` is 49.90 in the currency, as events carry prices); every amount Cartwheel returns is this object, with both spellings.",
  fields: (t) => ({
    minorUnits: t.field({
      type: "SafeInt",
      description: "In the currency's minor units: 4990 for 49.90 EUR, 500 for 500 JPY.",
      resolve: (value) => Number(value.minor),
    }),
    amount: t.string({
      description: 'In major units as a decimal string with the currency\'s digits: "49.90".',
      resolve: (value) => formatMajorUnits(value.minor, value.currency),
    }),
    currency: t.exposeString("currency", { description: "ISO 4217, e.g. EUR." }),
  }),
});
