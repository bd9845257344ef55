import {
  addJobs,
  createSegment,
  createWorkspace,
  db,
  ingestEvents,
  pool,
  upsertContact,
} from "@cartwheel/api/domain";
import type { Runner } from "graphile-worker";
import type pg from "pg";
import { afterEach, expect, it } from "vitest";
import { startEventLane } from "../src/events/event-lane.ts";
import { startWorker } from "../src/worker.ts";

const runners: Runner[] = [];
let holder: pg.PoolClient | undefined;

afterEach(async () => {
  await holder?.query("ROLLBACK");
  holder?.release();
  holder = undefined;
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

const pendingRefreshes = async () =>
  (
    await pool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE t.identifier = 'refresh_segment'`,
    )
  ).rows[0]!.n;

it("handles events while every slot of the main runner is held by bulk jobs", async () => {
  const shop = await createWorkspace({ name: "Busy shop" });
  const segment = await createSegment(shop.id, {
    name: "Everyone",
    filter: { property: { key: "plan", type: "STRING", op: "EXISTS" } },
  });
  // Full refreshes of this segment wait for its membership lock, held here: they fill the
  // main runner's two slots and stay there.
  holder = await pool().connect();
  await holder.query("BEGIN");
  await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
    `segment-memberships:${segment.id}`,
  ]);
  await db().$transaction((tx) =>
    addJobs(
      tx,
      "refresh_segment",
      Array.from({ length: 6 }, () => ({ payload: { segmentId: segment.id } })),
    ),
  );
  const databaseUrl = process.env.DATABASE_URL!;
  runners.push(await startWorker({ databaseUrl, concurrency: 2, pollInterval: 200 }));
  const lockedJobs = async () =>
    (
      await pool().query<{ n: number }>(
        "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_at IS NOT NULL",
      )
    ).rows[0]!.n;
  await expect.poll(lockedJobs, { timeout: 10_000 }).toBe(2);

  runners.push(await startEventLane({ databaseUrl, concurrency: 1, pollInterval: 200 }));
  const other = await createWorkspace({ name: "Other shop" });
  const { contact } = await upsertContact(other.id, { email: "ada@example.com" });
  const timestamp = new Date(Date.now() - 60_000);
  await ingestEvents(
    other.id,
    [
      {
        messageId: "m1",
        type: "track",
        event: "Viewed",
        userId: "ada@example.com",
        timestamp: timestamp.toISOString(),
      },
    ],
    { source: "trusted" },
  );
  await expect
    .poll(
      async () =>
        (
          await db().contact.findFirstOrThrow({
            where: { id: contact.id, workspaceId: contact.workspaceId },
          })
        ).lastSeenAt?.getTime(),
      { timeout: 10_000 },
    )
    .toBe(timestamp.getTime());
  expect(await pendingRefreshes()).toBe(6);
}, 60_000);
