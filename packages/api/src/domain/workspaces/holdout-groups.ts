import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db, type Executor } from "../../db.ts";
import { parseInput } from "../shared/validation.ts";

/** The most of a workspace's contacts, or of a scenario's, a holdout may keep back. */
export const maxHoldoutPercent = 50;

/**
 * Where a contact falls, 0 ≤ bucket < 100, for one holdout: a stable hash of the workspace's
 * salt, the holdout's scope (a scenario id, or "control_group") and the contact. The same
 * contact always lands in the same place until the salt is rotated; different scopes are
 * independent draws.
 */
export function holdoutBucket(salt: string, scope: string, contactId: string): number {
  const digest = createHash("sha256").update(`${salt}:${scope}:${contactId}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

export function isHeldOut(
  salt: string,
  scope: string,
  contactId: string,
  percent: number,
): boolean {
  return percent > 0 && holdoutBucket(salt, scope, contactId) < percent;
}

export interface HoldoutSettings {
  controlGroupPercent: number;
  holdoutSalt: string;
}

export async function loadHoldoutSettings(
  workspaceId: string,
  executor: Executor = db(),
): Promise<HoldoutSettings> {
  return executor.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { controlGroupPercent: true, holdoutSalt: true },
  });
}

const holdoutChange = z.strictObject({
  controlGroupPercent: z.number().min(0).max(maxHoldoutPercent).optional(),
  /** Draw new groups: contacts already in runs keep theirs, new runs use the new salt. */
  rotateSalt: z.boolean().optional(),
});

/**
 * Sets the workspace-wide control group's size and, on demand, rotates the salt so that every
 * holdout is drawn afresh from the next run on.
 */
export async function updateHoldoutSettings(
  workspaceId: string,
  change: z.input<typeof holdoutChange>,
): Promise<HoldoutSettings> {
  const parsed = parseInput(holdoutChange, change);
  return db().workspace.update({
    where: { id: workspaceId },
    data: {
      ...(parsed.controlGroupPercent !== undefined && {
        controlGroupPercent: parsed.controlGroupPercent,
      }),
      ...(parsed.rotateSalt && { holdoutSalt: randomBytes(32).toString("hex") }),
    },
    select: { controlGroupPercent: true, holdoutSalt: true },
  });
}
