import { z } from "zod";
import { isUuid } from "../../shared/validation.ts";
import { blueprint } from "./blueprint.ts";

export const sunsetOptions = z.object({
  /** The unengaged segment; left out, the playbook's "Unengaged subscribers". */
  segmentId: z.string().refine(isUuid, "is not a segment id").optional(),
  /** With the playbook segment, when it is first installed: days with no human open or click. */
  unengagedDays: z.number().int().min(30).max(730).default(90),
  /** Days after the last-chance mail for a human open or a click before the contact is tagged. */
  lastChanceDays: z.number().int().min(1).max(60).default(14),
  /** The tag a contact who stayed silent gets; keep it out of marketing audiences. */
  tag: z.string().trim().min(1).max(100).default("Sunset"),
  /**
   * What else a contact who stayed silent gets besides the tag: `unsubscribe` (the default)
   * unsubscribes them from marketing mail, as the unsubscribe link does, so no marketing
   * scenario or campaign mails them again; `tag` only tags them and leaves the rest to you.
   * Transactional mail goes to them either way.
   */
  afterSilence: z.enum(["unsubscribe", "tag"]).default("unsubscribe"),
});

const engagedWithin = (days: number) => ({
  or: [
    {
      event: {
        name: "Email Opened",
        where: [{ key: "machine_open", type: "BOOLEAN", op: "EQUALS", value: false }],
        withinDays: days,
      },
    },
    { event: { name: "Email Clicked", withinDays: days } },
  ],
});

export const sunset = blueprint({
  name: "sunset",
  title: "Sunset",
  description:
    "A subscriber with no human open (Apple's privacy pre-fetches do not count) and no click in months gets one last-chance mail; still silent some days later, they get the sunset tag and are unsubscribed from marketing mail (or, with afterSilence: tag, only tagged), to protect deliverability. A click ends it at once.",
  templateKeys: ["sunset"],
  tags: (options) => [options.tag],
  segment: (options) => ({
    segmentId: options.segmentId,
    playbook: { key: "unengaged-subscribers", unengagedDays: options.unengagedDays },
  }),
  options: sunsetOptions,
  build: (options, templates, { segmentId }) => ({
    version: 1,
    trigger: { kind: "segment_entered", segmentId },
    audience: { tag: { name: options.tag, has: false } },
    exits: [{ name: "Clicked", event: "Email Clicked" }],
    start: "last-chance",
    nodes: [
      {
        id: "last-chance",
        kind: "send_email",
        templateId: templates.sunset,
        data: { days: options.unengagedDays, last_chance_days: options.lastChanceDays },
        next: "wait",
      },
      {
        id: "wait",
        kind: "delay",
        duration: { days: options.lastChanceDays },
        next: "engaged",
      },
      {
        id: "engaged",
        kind: "condition",
        filter: engagedWithin(options.lastChanceDays),
        yes: "stays",
        no: "tag",
      },
      { id: "stays", kind: "exit", reason: "opened the last-chance mail" },
      {
        id: "tag",
        kind: "add_tag",
        tag: options.tag,
        next: options.afterSilence === "unsubscribe" ? "unsubscribe" : null,
      },
      ...(options.afterSilence === "unsubscribe"
        ? [{ id: "unsubscribe", kind: "unsubscribe" }]
        : []),
    ],
  }),
});
