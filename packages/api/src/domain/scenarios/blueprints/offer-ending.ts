import { z } from "zod";
import { blueprint } from "./blueprint.ts";

const propertyKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, "use letters, digits and _");

export const offerEndingOptions = z.object({
  /** The contact property with the offer's last day (`2026-12-31` or an ISO timestamp). */
  dateProperty: propertyKey.default("offer_expires_at"),
  /** The contact property with the contact's code; contacts without one get no reminder. */
  codeProperty: propertyKey.default("offer_code"),
  /** How many days before the last day, at `at` in the contact's time zone. */
  daysBefore: z.number().int().min(0).max(60).default(3),
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 09:00")
    .default("09:00"),
  /** What the offer is worth, shown in the mail ("20% off"); left out, only the code. */
  description: z.string().trim().min(1).max(100).optional(),
});

export const offerEnding = blueprint({
  name: "offer_ending",
  title: "Offer ending soon",
  description:
    "Some days before the offer date a contact property holds, a reminder with the contact's code (another property) and its last day. Contacts without a code get nothing.",
  templateKeys: ["offer-ending"],
  options: offerEndingOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: {
      kind: "date",
      property: options.dateProperty,
      offsetDays: -options.daysBefore,
      at: options.at,
      yearly: false,
    },
    audience: { property: { key: options.codeProperty, type: "STRING", op: "EXISTS" } },
    start: "remind",
    nodes: [
      {
        id: "remind",
        kind: "send_email",
        templateId: templates["offer-ending"],
        data: {
          offer: {
            code_property: options.codeProperty,
            expires_property: options.dateProperty,
            ...(options.description && { description: options.description }),
          },
        },
        recommendations: [{ block: "for_you", strategy: "for_you", limit: 2 }],
      },
    ],
  }),
});
