import { randomUUID } from "node:crypto";
import type { Transaction } from "../../../db.ts";
import type {
  Contact,
  Prisma,
  ScenarioRun,
  WorkspaceEmailSettings,
} from "../../../generated/prisma/client.ts";
import { loadEmailSettings } from "../../messages/email-settings.ts";
import { insertQueuedMessages, type QueuedMessageRow } from "../../messages/queue/queue-email.ts";
import type { EmailKindName } from "../../messages/queue/send-job.ts";
import { queueAdvances } from "./schedule.ts";

export interface BatchScenario {
  id: string;
  workspaceId: string;
  priority: number;
  name: string;
  status: string;
}

export interface BatchTemplate {
  id: string;
  kind: EmailKindName;
  archivedAt: Date | null;
  version: number;
  fromEmail: string | null;
  requiredData: string[];
}

/** A step row of an earlier advance that this one leaves (or annotates); set fields only. */
interface StepLeave {
  runId: string;
  seq: number;
  leftAt?: Date;
  output?: string | null;
  reason?: string;
  messageId?: string;
  detail?: Prisma.InputJsonObject;
}

/**
 * What the runs advanced together in one transaction share (one run, or a bulk start's
 * hundreds): reads made once for all of them (scenarios, contacts, the email settings,
 * templates, split winners, suppressions) and writes held back and made together at the end,
 * each kind in one statement: the queued messages and their send jobs, the new steps, the
 * steps left, the runs' new positions and their wake-up jobs. All of it commits, or none of
 * it, with the transaction. A step that reads what is held back (the frequency caps count
 * queued mail) calls `flush` first.
 */
export class AdvanceBatch {
  private readonly scenarios = new Map<string, Promise<BatchScenario>>();
  private readonly templates = new Map<string, Promise<BatchTemplate | null>>();
  private readonly winners = new Map<
    string,
    Promise<{ branch: string; decidedBy: string; applied: boolean } | null>
  >();
  private readonly contacts = new Map<string, Contact>();
  private settingsRead: Promise<WorkspaceEmailSettings> | null = null;
  private topPriorityRead: Promise<number | null> | null = null;
  private suppressionsRead: Promise<Map<string, string[]>> | null = null;
  private readonly messages: QueuedMessageRow[] = [];
  /** Pre-chosen message ids that turned out to exist under another id (a key used before). */
  private readonly messageIds = new Map<string, string>();
  private readonly newSteps: Prisma.ScenarioStepCreateManyInput[] = [];
  private readonly leaves: StepLeave[] = [];
  private readonly runs = new Map<string, ScenarioRun>();
  private readonly wakes: { id: string; priority: number; runAt?: Date }[] = [];

  constructor(
    private readonly tx: Transaction,
    readonly workspaceId: string,
  ) {}

  /** Reads the contacts of the runs about to advance, in one statement. */
  async loadContacts(contactIds: readonly string[]): Promise<void> {
    const missing = [...new Set(contactIds)].filter((id) => !this.contacts.has(id));
    if (missing.length === 0) return;
    const rows = await this.tx.contact.findMany({
      where: { workspaceId: this.workspaceId, id: { in: missing } },
    });
    for (const row of rows) this.contacts.set(row.id, row);
  }

  async contact(contactId: string): Promise<Contact> {
    await this.loadContacts([contactId]);
    const contact = this.contacts.get(contactId);
    if (!contact) throw new Error(`contact ${contactId} is gone`);
    return contact;
  }

  scenario(scenarioId: string): Promise<BatchScenario> {
    return memo(this.scenarios, scenarioId, () =>
      this.tx.scenario.findUniqueOrThrow({
        where: { id_workspaceId: { workspaceId: this.workspaceId, id: scenarioId } },
        select: { id: true, workspaceId: true, priority: true, name: true, status: true },
      }),
    );
  }

  settings(): Promise<WorkspaceEmailSettings> {
    this.settingsRead ??= loadEmailSettings(this.workspaceId, this.tx);
    return this.settingsRead;
  }

  template(templateId: string): Promise<BatchTemplate | null> {
    return memo(this.templates, templateId, () =>
      this.tx.template.findFirst({
        where: { id: templateId, workspaceId: this.workspaceId },
        select: {
          id: true,
          kind: true,
          archivedAt: true,
          version: true,
          fromEmail: true,
          requiredData: true,
        },
      }),
    );
  }

  splitWinner(scenarioId: string, nodeId: string) {
    return memo(this.winners, `${scenarioId}:${nodeId}`, () =>
      this.tx.scenarioSplitWinner.findUnique({
        where: {
          workspaceId_scenarioId_nodeId: { workspaceId: this.workspaceId, scenarioId, nodeId },
        },
        select: { branch: true, decidedBy: true, applied: true },
      }),
    );
  }

  /** The highest priority of the workspace's live scenarios (null: none is live). */
  topLivePriority(): Promise<number | null> {
    this.topPriorityRead ??= this.tx.scenario
      .aggregate({
        where: { workspaceId: this.workspaceId, status: "LIVE" },
        _max: { priority: true },
      })
      .then((result) => result._max.priority);
    return this.topPriorityRead;
  }

  /**
   * The suppression reasons of an address. The first call reads them for every contact of the
   * batch at once; an address outside it is read on its own.
   */
  async suppressions(email: string): Promise<string[]> {
    const lower = email.toLowerCase();
    this.suppressionsRead ??= this.readSuppressions(
      [...this.contacts.values()].flatMap((contact) =>
        contact.email ? [contact.email.toLowerCase()] : [],
      ),
    );
    const known = await this.suppressionsRead;
    return known.get(lower) ?? (await this.readSuppressions([lower])).get(lower) ?? [];
  }

  /** Reasons by address; every address asked for is in the map (with [] when none). */
  private async readSuppressions(emails: string[]): Promise<Map<string, string[]>> {
    const rows = await this.tx.emailSuppression.findMany({
      where: { workspaceId: this.workspaceId, email: { in: [...new Set(emails)] } },
      select: { email: true, reason: true },
    });
    const byEmail = new Map(emails.map((email) => [email, [] as string[]]));
    for (const row of rows) byEmail.get(row.email)?.push(row.reason);
    return byEmail;
  }

  /**
   * Queues a message (and its send job) with the batch: its id comes back at once, the row is
   * written at the flush (`insertQueuedMessages`). A key used before keeps its first message.
   */
  queueMessage(message: Omit<QueuedMessageRow, "id">): string {
    const id = randomUUID();
    this.messages.push({ ...message, id });
    return id;
  }

  addStep(step: Prisma.ScenarioStepCreateManyInput): void {
    this.newSteps.push(step);
  }

  leaveStep(leave: StepLeave): void {
    this.leaves.push(leave);
  }

  /** The run's new row, written at the flush (the run is locked by this transaction). */
  updateRun(run: ScenarioRun): void {
    this.runs.set(run.id, run);
  }

  /** Queues the run's `advance_scenario_run` job with the batch, now or at `runAt`. */
  queueAdvance(run: { id: string; priority: number }, runAt?: Date): void {
    this.wakes.push({ id: run.id, priority: run.priority, ...(runAt && { runAt }) });
  }

  /** Writes everything held back, each kind in one statement. */
  async flush(): Promise<void> {
    await this.writeMessages();
    const resolve = (id: string | undefined) => (id ? (this.messageIds.get(id) ?? id) : id);
    if (this.newSteps.length > 0) {
      const steps = this.newSteps.splice(0).map((step) => ({
        ...step,
        messageId: resolve(step.messageId ?? undefined) ?? null,
      }));
      await this.tx.scenarioStep.createMany({ data: steps });
    }
    if (this.leaves.length > 0) await this.writeLeaves(this.leaves.splice(0), resolve);
    if (this.runs.size > 0) {
      const runs = [...this.runs.values()];
      this.runs.clear();
      await this.writeRuns(runs, resolve);
    }
    if (this.wakes.length > 0) {
      await queueAdvances(this.tx, this.wakes.splice(0));
    }
  }

  private async writeMessages(): Promise<void> {
    if (this.messages.length === 0) return;
    const written = await insertQueuedMessages(this.tx, this.workspaceId, this.messages.splice(0));
    for (const [chosen, id] of written) if (chosen !== id) this.messageIds.set(chosen, id);
  }

  private async writeLeaves(
    leaves: StepLeave[],
    resolve: (id: string | undefined) => string | undefined,
  ): Promise<void> {
    const rows = leaves.map((leave) => ({
      run_id: leave.runId,
      seq: leave.seq,
      left_at: leave.leftAt?.toISOString() ?? null,
      set_output: leave.output !== undefined,
      output: leave.output ?? null,
      reason: leave.reason ?? null,
      message_id: resolve(leave.messageId) ?? null,
      detail: leave.detail ?? null,
    }));
    await this.tx.$executeRaw`
      UPDATE scenario_steps s
         SET left_at = COALESCE(u.left_at, s.left_at),
             output = CASE WHEN u.set_output THEN u.output ELSE s.output END,
             reason = COALESCE(u.reason, s.reason),
             message_id = COALESCE(u.message_id, s.message_id),
             detail = COALESCE(u.detail, s.detail)
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             AS u(run_id uuid, seq int, left_at timestamptz, set_output boolean, output text, reason text,
                  message_id uuid, detail jsonb)
       WHERE s.workspace_id = ${this.workspaceId}::uuid AND s.run_id = u.run_id AND s.seq = u.seq
         AND (u.left_at IS NULL OR s.left_at IS NULL)`;
  }

  private async writeRuns(
    runs: ScenarioRun[],
    resolve: (id: string | undefined) => string | undefined,
  ): Promise<void> {
    const rows = runs.map((run) => {
      const state = { ...(run.state as Record<string, unknown>) };
      const sent = state.messages as Record<string, string> | undefined;
      if (sent && this.messageIds.size > 0) {
        state.messages = Object.fromEntries(
          Object.entries(sent).map(([node, id]) => [node, resolve(id) ?? id]),
        );
      }
      return {
        id: run.id,
        status: run.status,
        reason: run.reason,
        node_id: run.nodeId,
        resume_output: run.resumeOutput,
        wake_at: run.wakeAt?.toISOString() ?? null,
        wake_queued: run.wakeQueued,
        wait_event: run.waitEvent,
        waiting_since: run.waitingSince?.toISOString() ?? null,
        state,
        steps: run.steps,
        ended_at: run.endedAt?.toISOString() ?? null,
      };
    });
    await this.tx.$executeRaw`
      UPDATE scenario_runs r
         SET status = u.status::scenario_run_status, reason = u.reason, node_id = u.node_id,
             resume_output = u.resume_output, wake_at = u.wake_at, wake_queued = u.wake_queued,
             wait_event = u.wait_event, waiting_since = u.waiting_since, state = u.state,
             steps = u.steps, ended_at = u.ended_at, updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             AS u(id uuid, status text, reason text, node_id text, resume_output text, wake_at timestamptz,
                  wake_queued boolean, wait_event text, waiting_since timestamptz, state jsonb, steps int,
                  ended_at timestamptz)
       WHERE r.workspace_id = ${this.workspaceId}::uuid AND r.id = u.id`;
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = read();
    cache.set(key, value);
  }
  return value;
}
