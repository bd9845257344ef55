import { db } from "../../db.ts";
import { validateDefinition } from "../scenarios/definition/validate-definition.ts";
import { InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { type AudienceForecast, forecastAudience } from "./forecast-audience.ts";

export type { AudienceForecast };

/**
 * Forecasts the reach of a saved scenario's draft or of a definition document (validated as on
 * save), as of `now`.
 */
export async function forecastScenarioAudience(
  workspaceId: string,
  input: { scenarioId?: string; definition?: unknown },
  options: { now?: Date } = {},
): Promise<AudienceForecast> {
  if ((input.scenarioId === undefined) === (input.definition === undefined)) {
    throw InvalidInputError.field(["scenarioId"], "set scenarioId or definition");
  }
  let raw = input.definition;
  if (input.scenarioId !== undefined) {
    const scenario = await db().scenario.findFirst({
      where: { id: input.scenarioId, workspaceId },
      select: { definition: true },
    });
    if (!scenario) throw new NotFoundError("Scenario", input.scenarioId);
    raw = scenario.definition;
  }
  const definition = await validateDefinition(raw, { workspaceId, executor: db() });
  return forecastAudience(db(), workspaceId, definition, options.now ?? new Date());
}
