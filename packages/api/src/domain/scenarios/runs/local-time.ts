import { localDateAt, nextInWindow } from "../../shared/local-time.ts";
import { durationMs, type ScenarioNode } from "../definition/definition.ts";

type DelayNode = Extract<ScenarioNode, { kind: "delay" }>;

/**
 * When a run that reached `node` at `now` may go on: after the duration, then (if outside it)
 * at the window's next opening; or at the contact's date ± offset at a time of day. Null when
 * the date it waits for is missing (the run goes straight on).
 */
export function delayWakeAt(
  node: DelayNode,
  now: Date,
  zone: string,
  dateOf: (until: NonNullable<DelayNode["until"]>) => Date | null,
): Date | null {
  if (node.until) {
    const date = dateOf(node.until);
    return date ? localDateAt(date, node.until.offsetDays, node.until.at, zone) : null;
  }
  const afterDuration = new Date(now.getTime() + (node.duration ? durationMs(node.duration) : 0));
  return node.window ? nextInWindow(afterDuration, node.window, zone) : afterDuration;
}
