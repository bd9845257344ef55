import { InvalidInputError } from "../shared/errors.ts";

/** Where an entry sits in a timeline: its time, then its key (unique across sources). */
export interface TimelinePosition {
  at: Date;
  key: string;
}

/**
 * An opaque cursor for a timeline position.
 *
 * @example decodeTimelineCursor(encodeTimelineCursor({ at, key: "event:…" }), ["after"])
 */
export function encodeTimelineCursor(position: TimelinePosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.key}`, "utf8").toString("base64url");
}

/** The position a cursor names; anything else is bad input at `path`. */
export function decodeTimelineCursor(cursor: string, path: string[]): TimelinePosition {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const split = text.indexOf("|");
  const at = new Date(text.slice(0, split));
  const key = text.slice(split + 1);
  if (split < 0 || Number.isNaN(at.getTime()) || !/^[a-z]+:[0-9a-z:-]+$/.test(key)) {
    throw InvalidInputError.field(path, "is not a timeline cursor");
  }
  return { at, key };
}
