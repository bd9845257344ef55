import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { makeEmailLinks } from "../src/domain/messages/compose/email-links.ts";
import {
  deliverMessage,
  TransientSendError,
} from "../src/domain/messages/delivery/deliver-message.ts";
import { reserveSendSlot } from "../src/domain/messages/delivery/send-rate.ts";
import { applySesNotification } from "../src/domain/messages/engagement/ses-notifications.ts";
import { makeSesEmailSender } from "../src/domain/messages/providers/ses-email-sender.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { ConflictError, NotFoundError } from "../src/domain/shared/errors.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  type SesFault,
  startFaultySes,
  startLocalSes,
} from "./support/index.ts";

const links = makeEmailLinks({ publicUrl: "https://t.example", secret: "s".repeat(40) });
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

async function setUp(kind: "MARKETING" | "TRANSACTIONAL" = "TRANSACTIONAL") {
  const { workspace } = await createEmailWorkspace();
  const contact = await createMailContact(workspace.id);
  const template = await createSimpleTemplate(workspace.id, kind);
  return { workspaceId: workspace.id, contact, template };
}

const jobsFor = (messageId: string) =>
  db().$queryRaw<{ key: string; priority: number; flags: unknown }[]>`
    SELECT key, priority, flags FROM graphile_worker._private_jobs WHERE key = ${`send_email:${messageId}`}`;

describe("queueEmail", () => {
  it("writes one message and one keyed job per idempotency key, even when called concurrently", async () => {
    const { workspaceId, contact, template } = await setUp("MARKETING");
    const input = { templateId: template.id, contactId: contact.id, idempotencyKey: "cart-77" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => queueEmail(workspaceId, input)),
    );
    const ids = new Set(results.map((result) => result.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const [id] = [...ids];
    expect(await jobsFor(id!)).toEqual([
      { key: `send_email:${id}`, priority: 0, flags: { "email:marketing": true } },
    ]);
    expect(await db().message.count({ where: { workspaceId } })).toBe(1);
  });

  it("refuses a reused key for another contact, and contacts or templates of other workspaces", async () => {
    const { workspaceId, contact, template } = await setUp();
    const other = await createMailContact(workspaceId);
    await queueEmail(workspaceId, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: "k",
    });
    await expect(
      queueEmail(workspaceId, {
        templateId: template.id,
        contactId: other.id,
        idempotencyKey: "k",
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    const elsewhere = await setUp();
    await expect(
      queueEmail(workspaceId, {
        templateId: template.id,
        contactId: elsewhere.contact.id,
        idempotencyKey: "x",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      queueEmail(workspaceId, {
        templateId: elsewhere.template.id,
        contactId: contact.id,
        idempotencyKey: "y",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("queues transactional mail ahead of marketing, unflagged", async () => {
    const { workspaceId, contact, template } = await setUp("TRANSACTIONAL");
    const { message } = await queueEmail(workspaceId, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: "order-1",
    });
    expect(await jobsFor(message.id)).toEqual([
      { key: `send_email:${message.id}`, priority: -10, flags: null },
    ]);
  });
});

describe("never twice", () => {
  async function queued() {
    const { workspaceId, contact, template } = await setUp();
    const { message } = await queueEmail(workspaceId, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: "once",
    });
    return { message, contact };
  }

  it("does nothing when a job that already sent is run again", async () => {
    const { message, contact } = await queued();
    expect(await deliverMessage(message.id, { sender: ses.sender, links })).toMatchObject({
      status: "SENT",
    });
    expect(await deliverMessage(message.id, { sender: ses.sender, links })).toEqual({
      status: "ALREADY_HANDLED",
      current: "SENT",
    });
    expect(await ses.emails(contact.email!)).toHaveLength(1);
  });

  it("does not resend after a crash between SES accepting and the SENT update, and a later SES notification reconciles it", async () => {
    const { message, contact } = await queued();
    await deliverMessage(message.id, { sender: ses.sender, links });
    const [stored] = await ses.emails(contact.email!);
    // The state a worker killed inside the window leaves: SENDING, SES's id never written.
    await db().message.update({
      where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.id } },
      data: { status: "SENDING", sesMessageId: null, sentAt: null },
    });

    const retried = await deliverMessage(message.id, { sender: ses.sender, links });

    expect(retried).toMatchObject({
      status: "FAILED",
      reason: expect.stringMatching(/^INTERRUPTED/),
    });
    expect(await ses.emails(contact.email!)).toHaveLength(1);
    const outcome = await applySesNotification(
      {
        notificationType: "Delivery",
        mail: {
          messageId: stored!.messageId,
          headers: [{ name: "X-Cartwheel-Message-Id", value: message.id }],
        },
        delivery: { recipients: [contact.email] },
      },
      "sns-1",
    );
    expect(outcome).toBe("delivery");
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({
      status: "SENT",
      sesMessageId: stored!.messageId,
      statusReason: null,
    });
    expect(row.deliveredAt).not.toBeNull();
  });

  const faults: [string, SesFault, "retry" | "permanent"][] = [
    [
      "TooManyRequestsException (maximum sending rate exceeded)",
      { status: 429, code: "TooManyRequestsException", message: "Maximum sending rate exceeded." },
      "retry",
    ],
    ["a 503", { status: 503, code: "ServiceUnavailable", message: "Service Unavailable" }, "retry"],
    [
      "MessageRejected",
      { status: 400, code: "MessageRejected", message: "Email address is not verified." },
      "permanent",
    ],
  ];

  it.each(faults)("handles %s from SES", async (_name, fault, expected) => {
    const { message, contact } = await queued();
    const proxy = await startFaultySes(ses.endpoint, (n) => (n === 1 ? fault : null));
    const sender = makeSesEmailSender({
      endpoint: proxy.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      if (expected === "retry") {
        await expect(deliverMessage(message.id, { sender, links })).rejects.toBeInstanceOf(
          TransientSendError,
        );
        const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
        expect(row.status).toBe("QUEUED");
        expect(row.statusReason).toContain(fault.code);
        expect(await deliverMessage(message.id, { sender, links })).toMatchObject({
          status: "SENT",
        });
        expect(await ses.emails(contact.email!)).toHaveLength(1);
      } else {
        expect(await deliverMessage(message.id, { sender, links })).toMatchObject({
          status: "FAILED",
          reason: expect.stringContaining("MessageRejected"),
        });
        expect(await deliverMessage(message.id, { sender, links })).toMatchObject({
          status: "ALREADY_HANDLED",
        });
        expect(proxy.requests()).toBe(1);
        expect(await ses.emails(contact.email!)).toHaveLength(0);
      }
    } finally {
      sender.close();
      await proxy.close();
    }
  });

  it("retries when SES cannot be reached at all", async () => {
    const { message } = await queued();
    const proxy = await startFaultySes(ses.endpoint, () => null);
    const closedEndpoint = proxy.endpoint;
    await proxy.close();
    const sender = makeSesEmailSender({
      endpoint: closedEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await expect(deliverMessage(message.id, { sender, links })).rejects.toBeInstanceOf(
      TransientSendError,
    );
    expect((await db().message.findFirstOrThrow({ where: { id: message.id } })).status).toBe(
      "QUEUED",
    );
    sender.close();
  });
});

describe("reserveSendSlot", () => {
  it("spaces sends 1/rate apart in one shared bucket per workspace and refuses slots past the horizon", async () => {
    const { workspace } = await createEmailWorkspace();
    const { workspace: other } = await createEmailWorkspace();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const slot = await reserveSendSlot(workspace.id, 2, { horizonMs: 10_000 });
      if (!slot.reserved) throw new Error("expected a slot");
      waits.push(slot.waitMs);
    }
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThan(400);
    expect(waits[1]).toBeLessThanOrEqual(500);
    expect(waits[2]).toBeGreaterThan(900);
    expect(waits[2]).toBeLessThanOrEqual(1000);
    const refused = await reserveSendSlot(workspace.id, 2, { horizonMs: 500 });
    expect(refused.reserved).toBe(false);
    if (!refused.reserved) expect(refused.retryInMs).toBeGreaterThan(400);
    expect(await reserveSendSlot(other.id, 2, { horizonMs: 500 })).toEqual({
      reserved: true,
      waitMs: 0,
      claimed: false,
    });
  });
});
