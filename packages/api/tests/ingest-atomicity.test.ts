import { afterEach, beforeEach, expect, it } from "vitest";
import { pool } from "../src/db.ts";
import { createTestShop, postBatch, processEventJobs, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;

beforeEach(async () => {
  // This file's database is its own: start each test with an empty queue.
  await pool().query("DELETE FROM graphile_worker._private_jobs");
  shop = await createTestShop(api);
});

afterEach(async () => {
  await pool().query(`
    DROP TRIGGER IF EXISTS fail_jobs ON graphile_worker._private_jobs;
    DROP TRIGGER IF EXISTS fail_links ON anonymous_identities;
    DROP FUNCTION IF EXISTS fail_now();`);
});

async function eventsAndJobs(workspaceId: string) {
  const { rows } = await pool().query<{ event_id: string; job_event_ids: string[] }>(
    `SELECT e.id::text AS event_id,
            ARRAY(SELECT j.event_id FROM ${processEventJobs} j WHERE j.event_id = e.id::text)
              AS job_event_ids
       FROM events e WHERE e.workspace_id = $1 ORDER BY e.id`,
    [workspaceId],
  );
  const { rows: jobs } = await pool().query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${processEventJobs} j`,
  );
  return { events: rows, jobCount: jobs[0]!.count };
}

async function failOn(trigger: string, table: string) {
  await pool().query(`
    CREATE OR REPLACE FUNCTION fail_now() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$;
    CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_now();`);
}

it("gives every stored event exactly one process_event job", async () => {
  await postBatch(api.app, { writeKey: shop.publicKey, batch: [wireEvent(), wireEvent()] });
  const { events, jobCount } = await eventsAndJobs(shop.id);
  expect(events).toHaveLength(2);
  for (const event of events) expect(event.job_event_ids).toEqual([event.event_id]);
  expect(jobCount).toBe(2);
});

it("stores no event when its job cannot be enqueued, and the retry then stores both", async () => {
  const batch = [wireEvent(), wireEvent()];
  await failOn("fail_jobs", "graphile_worker._private_jobs");
  const failed = await postBatch(api.app, { writeKey: shop.publicKey, batch });
  expect(failed.status).toBe(500);
  expect(await eventsAndJobs(shop.id)).toEqual({ events: [], jobCount: 0 });

  await pool().query("DROP TRIGGER fail_jobs ON graphile_worker._private_jobs");
  const retried = await postBatch(api.app, { writeKey: shop.publicKey, batch });
  expect(retried.body).toMatchObject({ accepted: 2, duplicates: 0 });
  expect((await eventsAndJobs(shop.id)).jobCount).toBe(2);
});

it("rolls back events and jobs together when a later step of the batch fails", async () => {
  await failOn("fail_links", "anonymous_identities");
  const batch = [
    wireEvent({ anonymousId: "b1" }),
    wireEvent({
      type: "identify",
      event: "Identify",
      anonymousId: "b1",
      userId: "ada@example.com",
    }),
  ];
  const failed = await postBatch(api.app, { writeKey: shop.publicKey, batch });
  expect(failed.status).toBe(500);
  expect(failed.body.error.code).toBe("internal_error");
  expect(await eventsAndJobs(shop.id)).toEqual({ events: [], jobCount: 0 });
});
