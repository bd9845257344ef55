import { z } from "zod";
import { db } from "../../db.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { type AttributionModel, loadAttributionModel } from "./attribution-settings.ts";
import {
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";

const windowHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 90);

/** What a report on one scenario's runs reads before its query. */
export interface ScenarioReportScope {
  /** The scenario's draft definition. */
  definition: unknown;
  period: ReportingPeriod;
  model: AttributionModel;
  /** How long after a run (or a split) its contact's orders count. */
  hours: number;
  currency: string;
}

/**
 * The scenario (NotFoundError outside the workspace), the period, the saved attribution model,
 * the window (`window`, else the model's click window) and the shop currency.
 */
export async function resolveScenarioReportScope(
  workspaceId: string,
  scenarioId: string,
  periodInput: ReportingPeriodInput,
  window: number | null | undefined,
): Promise<ScenarioReportScope> {
  const executor = db();
  const scenario = isUuid(scenarioId)
    ? await executor.scenario.findFirst({
        where: { id: scenarioId, workspaceId },
        select: { definition: true },
      })
    : null;
  if (!scenario) throw new NotFoundError("Scenario", scenarioId);
  const period = await resolveReportingPeriod(executor, workspaceId, periodInput);
  const model = await loadAttributionModel(workspaceId, executor);
  const hours =
    window == null ? model.clickWindowHours : parseInput(windowHours, window, ["windowHours"]);
  const currency = await loadWorkspaceCurrency(executor, workspaceId);
  return { definition: scenario.definition, period, model, hours, currency };
}
