import { z } from "zod";
import { db, type Executor } from "../../db.ts";
import { parseInput } from "../shared/validation.ts";

/** How orders are credited to messages. */
export interface AttributionModel {
  /** An order within this many hours after a person's click on a marketing message is credited to it. */
  clickWindowHours: number;
  /** Whether a person's open (never a machine open) earns credit when no click does. */
  countOpens: boolean;
  openWindowHours: number;
  /** NET: refunds deducted and cancelled orders worth nothing; GROSS: order totals as placed. */
  revenueBasis: "NET" | "GROSS";
}

export const defaultAttributionModel: AttributionModel = {
  clickWindowHours: 120,
  countOpens: false,
  openWindowHours: 24,
  revenueBasis: "NET",
};

const windowHours = z
  .number()
  .int("must be whole hours")
  .min(1)
  .max(24 * 90);

const modelChange = z.strictObject({
  clickWindowHours: windowHours.optional(),
  countOpens: z.boolean().optional(),
  openWindowHours: windowHours.optional(),
  revenueBasis: z.enum(["NET", "GROSS"]).optional(),
});

export type AttributionModelChange = z.input<typeof modelChange>;

/** The workspace's saved model, or the defaults (last click within 5 days, net revenue). */
export async function loadAttributionModel(
  workspaceId: string,
  executor: Executor = db(),
): Promise<AttributionModel> {
  const saved = await executor.attributionSettings.findUnique({ where: { workspaceId } });
  if (!saved) return { ...defaultAttributionModel };
  const { clickWindowHours, countOpens, openWindowHours, revenueBasis } = saved;
  return { clickWindowHours, countOpens, openWindowHours, revenueBasis };
}

/**
 * The saved model with a change applied, validated but not saved: what a report previews
 * before the marketer saves it; with the saved model, so the report can tell whether the
 * preview credits differently.
 */
export async function previewAttributionModel(
  executor: Executor,
  workspaceId: string,
  change: AttributionModelChange | null | undefined,
): Promise<{ model: AttributionModel; saved: AttributionModel }> {
  const parsed = parseInput(modelChange, change ?? {}, ["model"]);
  const saved = await loadAttributionModel(workspaceId, executor);
  return { model: { ...saved, ...definedOnly(parsed) }, saved };
}

/** Saves a change to the model; every report re-computes history with it. */
export async function updateAttributionModel(
  workspaceId: string,
  change: AttributionModelChange,
): Promise<AttributionModel> {
  const parsed = definedOnly(parseInput(modelChange, change));
  const saved = await db().attributionSettings.upsert({
    where: { workspaceId },
    create: { workspaceId, ...parsed },
    update: parsed,
  });
  const { clickWindowHours, countOpens, openWindowHours, revenueBasis } = saved;
  return { clickWindowHours, countOpens, openWindowHours, revenueBasis };
}

function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
