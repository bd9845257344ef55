/**
 * The scenario engine, through the worker as the product runs it, against the local SES API:
 *
 * 1. Latency: trigger event stored → email accepted by SES, for runs whose first node sends
 *    (no delay), p50 and p95 (goal p95 ≤ 5 s).
 * 2. Throughput: contacts entering a four-step scenario (send, condition, split, send), in
 *    emails/s, entered in bulk (`startScenarioRuns`, as the baseline queues in bulk) and one call
 *    at a time (`startScenario`), against the bare send path (`queueEmails`, then the worker)
 *    measured before and after them in the same run (goal ≥ 0.7 of its mean).
 * 3. Timers: runs waiting on delays that end over the next minutes, woken by the engine's own
 *    schedule (jobs for wakes within two minutes, the minutely sweep for later ones): how late
 *    each wake-up was (p50 / p99, goal p99 ≤ 2 s), the storage one waiting run costs, and the
 *    most jobs the job table held at once.
 *
 *   npm run bench -- scenarios   (BENCH_LATENCY_RUNS, BENCH_LATENCY_RATE (events/s, default 10),
 *   BENCH_FLOW_CONTACTS, BENCH_START_CONCURRENCY, BENCH_TIMER_RUNS, BENCH_TIMER_SPREAD_S to scale, BENCH_PARTS=1,3 to pick;
 *   the scale is 1000 / 10000 / 100000: BENCH_TIMER_RUNS=100000 takes about 9 minutes more)
 */
import { createBenchDatabase } from "./support/bench-database.ts";
import { startLocalSesProcess } from "./support/local-ses-process.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate, percentile } from "./support/stats.ts";
import { waitUntil } from "./support/wait.ts";

const latencyRuns = Number(process.env.BENCH_LATENCY_RUNS ?? 1000);
const flowContacts = Number(process.env.BENCH_FLOW_CONTACTS ?? 10_000);
const timerRuns = Number(process.env.BENCH_TIMER_RUNS ?? 20_000);
const timerSpreadS = Number(process.env.BENCH_TIMER_SPREAD_S ?? 300);
const latencyRate = Number(process.env.BENCH_LATENCY_RATE ?? 10);
/** startScenario calls in flight at once in part 2. */
const startConcurrency = Number(process.env.BENCH_START_CONCURRENCY ?? 4);
/** Which parts to run, e.g. BENCH_PARTS=1,3. */
const parts = new Set((process.env.BENCH_PARTS ?? "1,2,3").split(",").map(Number));
const concurrency = 16;

const database = await createBenchDatabase("scenarios");
const ses = await startLocalSesProcess();
process.env.DATABASE_URL = database.url;
process.env.SES_ENDPOINT = ses.endpoint;
const domain = await import("@cartwheel/api/domain");
const { startWorker } = await import("@cartwheel/worker");
const { Logger } = await import("graphile-worker");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const query = async <T>(text: string, values: unknown[] = []) =>
  (await domain.pool().query(text, values)).rows as T[];
const sentCount = async (workspaceId: string) =>
  (
    await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND status NOT IN ('QUEUED', 'SENDING')",
      [workspaceId],
    )
  )[0]!.n;

async function shop(name: string, contacts: number) {
  const workspace = await domain.createWorkspace({ name });
  await domain.updateEmailSettings(workspace.id, {
    shopName: name,
    postalAddress: "1 Main St",
    fromEmail: "hello@bench.example",
    sendRatePerSecond: 10_000,
  });
  const template = await domain.createTemplate(workspace.id, {
    name: "Hello",
    kind: "MARKETING",
    subject: "Hello {{ contact.first_name }}",
    html: '<p>Hello {{ contact.first_name }}</p><a href="https://bench.example/shop">Shop</a>',
  });
  const rows = await query<{ id: string; email: string }>(
    `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
     SELECT $1, $3 || g || '@bench.example', 'Ada' || g, 'SUBSCRIBED' FROM generate_series(1, $2::int) g
     RETURNING id, email`,
    [workspace.id, contacts, name.toLowerCase().replace(/\W/g, "")],
  );
  return { workspaceId: workspace.id, templateId: template.id, contacts: rows };
}

async function live(workspaceId: string, definition: Record<string, unknown>) {
  const scenario = await domain.createScenario(workspaceId, {
    name: "Bench",
    definition: { version: 1, ...definition },
  });
  return domain.publishScenario(workspaceId, scenario.id);
}

const runner = await startWorker({
  databaseUrl: database.url,
  concurrency,
  pollInterval: 200,
  logger: new Logger(() => () => {}),
});

try {
  console.log(`machine: ${describeMachine()}`);
  console.log(`worker concurrency ${concurrency}, poll interval 200 ms`);

  // 1. Latency: events at a steady pace below the worker's capacity, each starting a run that
  // sends at once.
  if (parts.has(1)) {
    const { workspaceId, templateId, contacts } = await shop("Latency", latencyRuns);
    await live(workspaceId, {
      trigger: { kind: "event", event: "Bench Trigger" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId }],
    });
    const perSecond = latencyRate;
    const started = performance.now();
    for (let i = 0; i < contacts.length; i += 10) {
      await domain.ingestEvents(
        workspaceId,
        contacts.slice(i, i + 10).map((contact, j) => ({
          messageId: `lat-${i + j}`,
          type: "track",
          event: "Bench Trigger",
          userId: contact.email,
          timestamp: new Date().toISOString(),
        })),
        { source: "trusted" },
      );
      const due = ((i + 10) / perSecond) * 1000 - (performance.now() - started);
      if (due > 0) await sleep(due);
    }
    await waitUntil(async () => (await sentCount(workspaceId)) >= contacts.length);
    const latencies = (
      await query<{ ms: number }>(
        `SELECT extract(epoch FROM m.sent_at - e.received_at) * 1000 AS ms
           FROM messages m JOIN scenario_runs r ON r.id = m.scenario_run_id
           JOIN events e ON e.id = r.trigger_event_id
          WHERE m.workspace_id = $1 AND m.status = 'SENT'`,
        [workspaceId],
      )
    ).map((row) => Number(row.ms));
    const unsent = await query<{ status: string; reason: string | null; n: number }>(
      `SELECT status::text, status_reason AS reason, count(*)::int AS n FROM messages
        WHERE workspace_id = $1 AND status <> 'SENT' GROUP BY 1, 2`,
      [workspaceId],
    );
    for (const row of unsent)
      console.log(`   not sent: ${row.n} ${row.status} ${row.reason ?? ""}`);
    console.log(
      `1. trigger event stored → accepted by SES (${latencies.length} runs, events at ${perSecond}/s): p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms   goal p95 ≤ 5000 ms: ${percentile(latencies, 95) <= 5000 ? "met" : "MISSED"}`,
    );
  }

  // 2. Throughput: the bare send path, the same contacts' worth through a scenario, then the
  // bare path again (the baseline is their mean, so drift on a shared machine shows), all after
  // a warm-up of both paths so neither pays for the first compile of the code they share.
  if (parts.has(2)) {
    const fourSteps = (templateId: string) => ({
      trigger: { kind: "api" },
      start: "first",
      nodes: [
        { id: "first", kind: "send_email", templateId, next: "check" },
        {
          id: "check",
          kind: "condition",
          filter: { consent: { statuses: ["SUBSCRIBED"] } },
          yes: "split",
        },
        {
          id: "split",
          kind: "split",
          branches: [
            { name: "A", weight: 1, next: "second" },
            { name: "B", weight: 1, next: "second" },
          ],
        },
        { id: "second", kind: "send_email", templateId },
      ],
    });
    // Each measured phase starts from a vacuumed database, so none pays for the dead job and
    // message rows of the one before it.
    const vacuum = async () => {
      for (const table of [
        "graphile_worker._private_jobs",
        "messages",
        "scenario_runs",
        "scenario_steps",
      ]) {
        await query(`VACUUM ANALYZE ${table}`);
      }
    };
    const sendBare = async (name: string, contacts: number) => {
      await vacuum();
      const bare = await shop(name, contacts);
      const started = performance.now();
      await domain.queueEmails(bare.workspaceId, {
        templateId: bare.templateId,
        recipients: bare.contacts.map((contact, i) => ({
          contactId: contact.id,
          data: {},
          idempotencyKey: `bare-${i}`,
        })),
      });
      await waitUntil(async () => (await sentCount(bare.workspaceId)) >= contacts);
      return contacts / ((performance.now() - started) / 1000);
    };
    /** `single`: a startScenario call per contact, several in flight; `bulk`: startScenarioRuns with 500 each. */
    const runFlow = async (name: string, contacts: number, entry: "single" | "bulk") => {
      await vacuum();
      const flow = await shop(name, contacts);
      const scenario = await live(flow.workspaceId, fourSteps(flow.templateId));
      const started = performance.now();
      let next = 0;
      if (entry === "bulk") {
        for (let i = 0; i < flow.contacts.length; i += 500) {
          await domain.startScenarioRuns(flow.workspaceId, scenario.id, {
            runs: flow.contacts.slice(i, i + 500).map((contact) => ({ contactId: contact.id })),
          });
        }
      } else {
        // Contacts enter as a shop's backend would start them: several calls in flight at once.
        await Promise.all(
          Array.from({ length: startConcurrency }, async () => {
            while (next < flow.contacts.length) {
              const contact = flow.contacts[next++]!;
              await domain.startScenario(flow.workspaceId, scenario.id, contact.id, {
                payload: {},
              });
            }
          }),
        );
      }
      const startedRate = contacts / ((performance.now() - started) / 1000);
      await waitUntil(async () => (await sentCount(flow.workspaceId)) >= 2 * contacts);
      const seconds = (performance.now() - started) / 1000;
      const [runs] = await query<{ done: number }>(
        "SELECT count(*) FILTER (WHERE status = 'COMPLETED')::int AS done FROM scenario_runs WHERE scenario_id = $1",
        [scenario.id],
      );
      return {
        emailRate: (2 * contacts) / seconds,
        runRate: contacts / seconds,
        startedRate,
        done: runs!.done,
      };
    };
    const warmup = Math.min(200, flowContacts);
    await sendBare("Warmup bare", warmup);
    await runFlow("Warmup flow", warmup, "single");
    await runFlow("Warmup bulk", warmup, "bulk");
    const bareBefore = await sendBare("Bare before", flowContacts);
    const bulk = await runFlow("Bulk", flowContacts, "bulk");
    const single = await runFlow("Single", flowContacts, "single");
    const bareAfter = await sendBare("Bare after", flowContacts);
    const bareRate = (bareBefore + bareAfter) / 2;
    console.log(
      `2. bare send path (queueEmails + worker), ${flowContacts} emails, before and after the scenarios: ${formatRate(bareBefore)} and ${formatRate(bareAfter)} emails (mean ${formatRate(bareRate)})`,
    );
    for (const [label, flow] of [
      ["startScenarioRuns, 500 a call", bulk],
      [`startScenario, ${startConcurrency} calls in flight`, single],
    ] as const) {
      console.log(
        `   four-step scenario entered by ${label}: ${flowContacts} runs (${flow.done} completed), ${2 * flowContacts} emails: ${formatRate(flow.emailRate)} emails, ${formatRate(flow.runRate)} runs (entry ${formatRate(flow.startedRate)})`,
      );
      console.log(
        `   ratio scenario / bare emails/s: ${(flow.emailRate / bareRate).toFixed(2)}   goal ≥ 0.70: ${flow.emailRate / bareRate >= 0.7 ? "met" : "MISSED"}`,
      );
    }
  }

  // 3. Timers: runs waiting on delays that end over the next minutes.
  if (parts.has(3)) {
    const { workspaceId, contacts } = await shop("Timers", timerRuns);
    const scenario = await live(workspaceId, {
      trigger: { kind: "api" },
      start: "wait",
      nodes: [{ id: "wait", kind: "delay", duration: { minutes: 5 } }],
    });
    const version = scenario.liveVersionId!;
    const lead = 20;
    await query(
      `INSERT INTO scenario_runs (workspace_id, scenario_id, version_id, contact_id, status, node_id, resume_output,
                                  wake_at, trigger, steps, started_at, updated_at)
       SELECT $1, $2, $3, c.id, 'WAITING', 'wait', 'next',
              now() + make_interval(secs => $5 + $6 * (row_number() OVER (ORDER BY c.id) - 1)::float8 / $4),
              '{"name":"Bench","occurredAt":"2026-01-01T00:00:00Z","properties":{}}', 1, now(), now()
         FROM contacts c WHERE c.workspace_id = $1`,
      [workspaceId, scenario.id, version, contacts.length, lead, timerSpreadS],
    );
    await query(
      `INSERT INTO scenario_steps (run_id, workspace_id, scenario_id, seq, node_id, kind, entered_at)
       SELECT id, workspace_id, scenario_id, 0, 'wait', 'delay', now() FROM scenario_runs WHERE scenario_id = $1`,
      [scenario.id],
    );
    const [size] = await query<{ bytes: number; runs: number }>(
      `SELECT (pg_total_relation_size('scenario_runs') + pg_total_relation_size('scenario_steps'))::float8 AS bytes,
              (SELECT count(*) FROM scenario_runs)::int AS runs`,
    );
    const wakes = new Map(
      (
        await query<{ id: string; wake_at: Date }>(
          "SELECT id, wake_at FROM scenario_runs WHERE scenario_id = $1",
          [scenario.id],
        )
      ).map((row) => [row.id, row.wake_at.getTime()]),
    );
    // What the engine does when it writes a wait: queue the wake-ups due within two minutes.
    await domain.queueDueWakes(domain.db(), new Date());
    let peakJobs = 0;
    let peakQueuedRuns = 0;
    await waitUntil(
      async () => {
        const [state] = await query<{ waiting: number; jobs: number; queuedRuns: number }>(
          `SELECT (SELECT count(*) FROM scenario_runs WHERE scenario_id = $1 AND status = 'WAITING')::int AS waiting,
                (SELECT count(*) FROM graphile_worker.jobs
                  WHERE task_identifier IN ('advance_scenario_run', 'advance_scenario_runs'))::int AS jobs,
                (SELECT coalesce(sum(CASE WHEN json_typeof(j.payload) = 'array' THEN json_array_length(j.payload) ELSE 1 END), 0)
                   FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
                  WHERE t.identifier IN ('advance_scenario_run', 'advance_scenario_runs'))::int AS "queuedRuns"`,
          [scenario.id],
        );
        if (state!.jobs > peakJobs) {
          peakJobs = state!.jobs;
          peakQueuedRuns = state!.queuedRuns;
        }
        return state!.waiting === 0;
      },
      (lead + timerSpreadS + 180) * 1000,
    );
    const lateness = (
      await query<{ run_id: string; left_at: Date }>(
        "SELECT run_id, left_at FROM scenario_steps WHERE scenario_id = $1 AND seq = 0",
        [scenario.id],
      )
    ).map((row) => row.left_at.getTime() - (wakes.get(row.run_id) ?? Number.NaN));
    console.log(
      `3. ${timerRuns} runs waking over ${timerSpreadS} s (${formatRate(timerRuns / timerSpreadS)}): lateness p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${percentile(lateness, 99).toFixed(0)} ms   goal p99 ≤ 2000 ms: ${percentile(lateness, 99) <= 2000 ? "met" : "MISSED"}`,
    );
    console.log(
      `   storage per waiting run (run + its step, with indexes): ${Math.round(size!.bytes / size!.runs)} bytes; most advance jobs queued at once: ${peakJobs} (holding ${peakQueuedRuns} wake-ups) for ${timerRuns} runs`,
    );
  }
} finally {
  await runner.stop();
  domain.closeEmailSender();
  await domain.disconnectDatabase();
  await ses.stop();
  await database.drop();
}
