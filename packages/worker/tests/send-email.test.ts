import { closeEmailSender, db, queueEmail, updateEmailSettings } from "@cartwheel/api/domain";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  type SesFault,
  startFaultySes,
  startLocalSes,
} from "@cartwheel/api/testing";
import { runOnce } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

let ses: LocalSes;
let fault: SesFault | null = null;
let proxy: Awaited<ReturnType<typeof startFaultySes>>;

beforeAll(async () => {
  ses = await startLocalSes();
  proxy = await startFaultySes(ses.endpoint, () => fault);
  // The worker's sender comes from the environment, as in production.
  process.env.SES_ENDPOINT = proxy.endpoint;
});
afterAll(async () => {
  closeEmailSender();
  await proxy.close();
  await ses.close();
});

const runJobs = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

const jobsOf = (messageId: string) =>
  db().$queryRaw<{ payload: { deferrals?: number }; run_at: Date; attempts: number }[]>`
    SELECT payload, run_at, attempts FROM graphile_worker._private_jobs WHERE key = ${`send_email:${messageId}`}`;

async function queued(kind: "MARKETING" | "TRANSACTIONAL" = "TRANSACTIONAL", key = "k1") {
  const { workspace } = await createEmailWorkspace();
  const contact = await createMailContact(workspace.id);
  const template = await createSimpleTemplate(workspace.id, kind);
  const { message } = await queueEmail(workspace.id, {
    templateId: template.id,
    contactId: contact.id,
    idempotencyKey: key,
  });
  return { workspace, contact, template, message };
}

describe("send_email", () => {
  it("sends a queued message once, even when its job is queued and run again", async () => {
    const { contact, message } = await queued();
    await runJobs();
    expect(await ses.emails(contact.email!)).toHaveLength(1);
    await db()
      .$executeRaw`SELECT graphile_worker.add_job('send_email', json_build_object('messageId', ${message.id}::text), job_key := ${`send_email:${message.id}`})`;
    await runJobs();
    expect(await ses.emails(contact.email!)).toHaveLength(1);
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({ status: "SENT", attempts: 1 });
    expect(await jobsOf(message.id)).toEqual([]);
  });

  it("defers sends past the workspace's rate to a later run instead of holding a worker", async () => {
    const { workspace, contact, template } = await queued("MARKETING", "first");
    await updateEmailSettings(workspace.id, { sendRatePerSecond: 0.1 });
    const others = await Promise.all(
      ["a", "b"].map(async (key) => {
        const { message } = await queueEmail(workspace.id, {
          templateId: template.id,
          contactId: contact.id,
          idempotencyKey: key,
        });
        return message;
      }),
    );
    await runJobs();
    expect(await ses.emails(contact.email!)).toHaveLength(1);
    const statuses = await db().message.findMany({
      where: { id: { in: others.map((m) => m.id) } },
    });
    expect(statuses.map((m) => m.status)).toEqual(["QUEUED", "QUEUED"]);
    for (const message of others) {
      const [job] = await jobsOf(message.id);
      expect(job!.payload.deferrals).toBe(1);
      expect(job!.run_at.getTime()).toBeGreaterThan(Date.now() + 5_000);
      expect(job!.attempts).toBe(0);
    }
  });

  it("retries SES throttling with backoff and records a permanent rejection without retrying", async () => {
    const throttled = await queued("TRANSACTIONAL", "throttled");
    fault = {
      status: 429,
      code: "TooManyRequestsException",
      message: "Maximum sending rate exceeded.",
    };
    await runJobs();
    let [job] = await jobsOf(throttled.message.id);
    expect(job!.attempts).toBe(1);
    expect(job!.run_at.getTime()).toBeGreaterThan(Date.now());
    expect(
      (await db().message.findFirstOrThrow({ where: { id: throttled.message.id } })).status,
    ).toBe("QUEUED");

    const rejected = await queued("TRANSACTIONAL", "rejected");
    fault = { status: 400, code: "MessageRejected", message: "Email address is not verified." };
    await runJobs();
    expect(await jobsOf(rejected.message.id)).toEqual([]);
    expect(
      await db().message.findFirstOrThrow({ where: { id: rejected.message.id } }),
    ).toMatchObject({
      status: "FAILED",
      statusReason: expect.stringContaining("MessageRejected"),
    });

    fault = null;
    await db()
      .$executeRaw`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = ${`send_email:${throttled.message.id}`}`;
    await runJobs();
    [job] = await jobsOf(throttled.message.id);
    expect(job).toBeUndefined();
    expect(await ses.emails(throttled.contact.email!)).toHaveLength(1);
  });

  it("marks the message FAILED when the last attempt is throttled too", async () => {
    const { message } = await queued("TRANSACTIONAL", "exhausted");
    await db()
      .$executeRaw`UPDATE graphile_worker._private_jobs SET max_attempts = 1 WHERE key = ${`send_email:${message.id}`}`;
    fault = { status: 503, code: "ServiceUnavailable", message: "try later" };
    await runJobs();
    fault = null;
    expect(await db().message.findFirstOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "FAILED",
      statusReason: expect.stringMatching(/^GAVE_UP after 1 attempts/),
    });
  });
});
