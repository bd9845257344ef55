import { closeEmailSender, db, pool, queueEmail, queueEmails } from "@cartwheel/api/domain";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  startLocalSes,
} from "@cartwheel/api/testing";
import type { Runner } from "graphile-worker";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmailFastLane } from "../src/email/fast-lane.ts";
import { startWorker } from "../src/worker.ts";

const backlog = 5_000;
let ses: LocalSes;
const runners: Runner[] = [];

beforeAll(async () => {
  ses = await startLocalSes();
  process.env.SES_ENDPOINT = ses.endpoint;
});
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  closeEmailSender();
  await ses.close();
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const countByStatus = async (
  workspaceId: string,
  kind: "MARKETING" | "TRANSACTIONAL",
  status: string,
) => {
  const { rows } = await pool().query<{ count: number }>(
    "SELECT count(*)::int AS count FROM messages WHERE workspace_id = $1 AND kind = $2::email_kind AND status = $3::message_status",
    [workspaceId, kind, status],
  );
  return rows[0]!.count;
};

it("sends a transactional email while a 5,000-email marketing backlog is still queued", async () => {
  const { workspace } = await createEmailWorkspace({ sendRatePerSecond: 10_000 });
  const campaign = await createSimpleTemplate(workspace.id, "MARKETING");
  const receipts = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
  const { rows: contacts } = await pool().query<{ id: string }>(
    `INSERT INTO contacts (workspace_id, email, consent_status)
       SELECT $1, 'bulk-' || g || '@example.com', 'SUBSCRIBED' FROM generate_series(1, $2::int) g RETURNING id`,
    [workspace.id, backlog],
  );
  const { messageIds } = await queueEmails(workspace.id, {
    templateId: campaign.id,
    recipients: contacts.map((contact, index) => ({
      contactId: contact.id,
      idempotencyKey: `campaign-${index}`,
    })),
  });
  expect(messageIds).toHaveLength(backlog);

  const databaseUrl = process.env.DATABASE_URL!;
  runners.push(await startWorker({ databaseUrl, concurrency: 10, pollInterval: 200 }));
  runners.push(await startEmailFastLane({ databaseUrl, concurrency: 2, pollInterval: 200 }));
  await waitFor(
    async () => ((await countByStatus(workspace.id, "MARKETING", "SENT")) >= 50 ? true : null),
    60_000,
  );

  const buyer = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
  const { message } = await queueEmail(workspace.id, {
    templateId: receipts.id,
    contactId: buyer.id,
    idempotencyKey: "order-1042",
  });
  await waitFor(async () => {
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    return row.status === "SENT" ? row : null;
  }, 30_000);
  const stillQueued = await countByStatus(workspace.id, "MARKETING", "QUEUED");

  expect(await ses.emails(buyer.email!)).toHaveLength(1);
  expect(stillQueued).toBeGreaterThan(backlog / 2);
}, 120_000);
