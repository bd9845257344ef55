import type { Transaction } from "../../../db.ts";
import type {
  Contact,
  ScenarioRun,
  WorkspaceEmailSettings,
} from "../../../generated/prisma/client.ts";
import type { ScenarioDefinition } from "../definition/definition.ts";
import type { AdvanceBatch, BatchScenario } from "./advance-batch.ts";

/** What started a run: the event (its name, time and properties) or a `startScenario` payload. */
export interface RunTrigger {
  name: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}

/** Facts a run keeps for later steps. */
export interface RunState {
  /** The message each send node produced, by node id. */
  messages?: Record<string, string>;
  /** The branch each split assigned, by node id. */
  splits?: Record<string, string>;
  /** The split whose holdout branch the run took: it sends no marketing mail from there on. */
  heldOutBy?: string;
}

/** Everything a node needs to carry itself out, inside the run's transaction. */
export interface StepContext {
  tx: Transaction;
  /** The reads and writes this run's advance shares with the runs advanced beside it. */
  batch: AdvanceBatch;
  now: Date;
  run: ScenarioRun;
  scenario: BatchScenario;
  definition: ScenarioDefinition;
  contact: Contact;
  /** This step's number within the run: keys its effects (one message per step, ever). */
  seq: number;
  state: RunState;
  zone: string;
  currency: string;
  settings: WorkspaceEmailSettings;
}

/** How a node ended its turn. */
export type NodeOutcome =
  /** Leave by `output` now. */
  | { output: string; reason?: string; messageId?: string; detail?: Record<string, unknown> }
  /** Stay: wake at `until` (and/or on an event) and leave by `resumeOutput` (null: run the node again). */
  | {
      wait: { until: Date | null; event?: string; resumeOutput: string | null };
      reason?: string;
      detail?: Record<string, unknown>;
    }
  /** End the run here. */
  | { end: "EXITED" | "FAILED"; reason: string };
