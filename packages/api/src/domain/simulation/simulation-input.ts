import { z } from "zod";
import { InvalidInputError } from "../shared/errors.ts";
import { canonicalEventName } from "../shared/standard-event-names.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

const at = z.coerce.date({ error: "must be a date and time" });

const fixtureContact = z.object({
  email: z.string().trim().toLowerCase().email("must be an email address").max(320),
  firstName: z.string().max(200).nullable().optional(),
  lastName: z.string().max(200).nullable().optional(),
  timezone: z.string().max(100).nullable().optional(),
  birthday: z.coerce.date().nullable().optional(),
  consentStatus: z.enum(["UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"]).default("SUBSCRIBED"),
  properties: z.record(z.string(), z.json()).default({}),
});

const simulationInput = z
  .object({
    /** A saved scenario: its draft definition is simulated. */
    scenarioId: z.string().refine(isUuid, "is not a scenario id").optional(),
    /** Or a definition document that need not be saved. */
    definition: z.unknown().optional(),
    /** An existing contact of the workspace, with its history, tags and orders… */
    contactId: z.string().refine(isUuid, "is not a contact id").optional(),
    /** …or a made-up one that exists only for the simulation. */
    contact: fixtureContact.optional(),
    /** What the contact does, at virtual times; events before `start` are history only. */
    events: z
      .array(
        z.object({
          at,
          name: z.string().trim().min(1).max(200).transform(canonicalEventName),
          properties: z.record(z.string(), z.json()).default({}),
        }),
      )
      .max(200)
      .default([]),
    /** When the simulation begins: a trigger other than an event starts the run here. */
    start: at,
    /** The payload of a trigger other than an event (e.g. startScenario's). */
    payload: z.record(z.string(), z.json()).default({}),
    /** The virtual clock stops here; default 400 days after the last event or `start`. */
    until: at.optional(),
  })
  .superRefine((input, ctx) => {
    if ((input.scenarioId === undefined) === (input.definition === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "set scenarioId or definition",
        path: ["scenarioId"],
      });
    }
    if ((input.contactId === undefined) === (input.contact === undefined)) {
      ctx.addIssue({ code: "custom", message: "set contactId or contact", path: ["contactId"] });
    }
    if (input.until && input.until <= input.start) {
      ctx.addIssue({ code: "custom", message: "must be after start", path: ["until"] });
    }
  });

export type SimulationInput = z.input<typeof simulationInput>;
export type ParsedSimulationInput = z.output<typeof simulationInput>;

/** Parses a simulation request; throws InvalidInputError with each problem's path. */
export function parseSimulationInput(raw: SimulationInput): ParsedSimulationInput {
  const input = parseInput(simulationInput, raw);
  if (input.until) {
    const late = input.events.findIndex((event) => event.at > (input.until as Date));
    if (late >= 0) throw InvalidInputError.field(["events", String(late), "at"], "is after until");
  }
  return input;
}
