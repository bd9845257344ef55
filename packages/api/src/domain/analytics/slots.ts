import { Prisma } from "../../generated/prisma/client.ts";

/**
 * Roll-ups are kept per 15-minute UTC slot (`cartwheel_slot` in SQL). Every time zone's offset
 * is a multiple of 15 minutes, so each local day, week or month is a whole number of slots.
 */
export const slotMinutes = 15;

export const slotInterval = Prisma.sql`make_interval(mins => ${slotMinutes})`;

/** A query of one `slot` column: every slot from `start` (a slot's start) up to `end`. */
export function slotsBetweenSql(start: Prisma.Sql, end: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT generate_series(${start}, ${end} - ${slotInterval}, ${slotInterval}) AS slot`;
}

/** A query of one `slot` column: the given slots. */
export function slotsListSql(slots: readonly Date[]): Prisma.Sql {
  return Prisma.sql`SELECT unnest(${slots.map((slot) => slot.toISOString())}::timestamptz[]) AS slot`;
}
