import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { recordEmailOpen } from "../src/domain/messages/engagement/record-engagement.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { createApiKey } from "../src/domain/workspaces/api-keys.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  makeTestApi,
  startLocalSes,
} from "./support/index.ts";
import { subscribe } from "./support/subscriptions.ts";

// As in subscriptions.test.ts: the writes reach the subscriber's process only through Postgres.
const subscriberProcess = makeTestApi();
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => Promise.all([subscriberProcess.app.close(), ses.close()]));

const messageActivity = `subscription { messageActivity { id status toEmail openedAt } }`;

async function mailingShop() {
  const { workspace } = await createEmailWorkspace();
  const template = await createSimpleTemplate(workspace.id);
  const { plaintext } = await createApiKey({
    workspaceId: workspace.id,
    name: "back office",
    kind: "SECRET",
    scopes: ["messages:read"],
  });
  let sent = 0;
  const queue = async () => {
    const contact = await createMailContact(workspace.id);
    sent += 1;
    const { message } = await queueEmail(workspace.id, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: `activity-${sent}`,
    });
    return { ...message, globalId: encodeGlobalID("Message", message.id) };
  };
  return { workspace, key: plaintext, queue };
}

describe("messageActivity", () => {
  it("sends the workspace's new and changed messages, never another workspace's", async () => {
    const shop = await mailingShop();
    const other = await mailingShop();
    const live = await subscribe(subscriberProcess, messageActivity, {}, shop.key);
    expect(live.status).toBe(200);
    try {
      // The stream says it is open with an empty list.
      expect((await live.next()).data?.messageActivity).toEqual([]);

      // Reads payloads until one shows `done`; every message in any of them is this shop's.
      const mine = new Set<string>();
      type Seen = { id: string; status: string; toEmail: string; openedAt: string | null };
      const until = async (done: (message: Seen) => boolean) => {
        for (;;) {
          const batch: Seen[] = (await live.next()).data?.messageActivity;
          for (const message of batch) expect(mine).toContain(message.id);
          const hit = batch.find(done);
          if (hit) return hit;
        }
      };

      await other.queue();
      const queued = await shop.queue();
      mine.add(queued.globalId);
      expect(await until((m) => m.id === queued.globalId)).toEqual({
        id: queued.globalId,
        status: "QUEUED",
        toEmail: queued.toEmail,
        openedAt: null,
      });

      const stranger = await other.queue();
      await deliverMessage(stranger.id, { sender: ses.sender });
      await deliverMessage(queued.id, { sender: ses.sender });
      await until((m) => m.id === queued.globalId && m.status === "SENT");

      await recordEmailOpen(stranger.id, { userAgent: "Thunderbird/128.0" });
      await recordEmailOpen(queued.id, { userAgent: "Thunderbird/128.0" });
      await until((m) => m.id === queued.globalId && m.openedAt !== null);

      // Nothing of the other workspace arrived in between, and nothing is left over.
      await expect(live.next(500)).rejects.toThrow("no subscription payload in time");
    } finally {
      await live.close();
    }
  });

  it("sends every message of a burst once", async () => {
    const shop = await mailingShop();
    const live = await subscribe(subscriberProcess, messageActivity, {}, shop.key);
    try {
      expect((await live.next()).data?.messageActivity).toEqual([]);
      const queued = [];
      for (let i = 0; i < 6; i++) queued.push(await shop.queue());
      const seen: string[] = [];
      while (seen.length < queued.length) {
        const batch: { id: string }[] = (await live.next()).data?.messageActivity;
        seen.push(...batch.map((message) => message.id));
      }
      expect([...seen].sort()).toEqual(queued.map((m) => m.globalId).sort());
      expect(new Set(seen).size).toBe(queued.length);
    } finally {
      await live.close();
    }
  });

  it("refuses a key without messages:read", async () => {
    const { workspace } = await createEmailWorkspace();
    const { plaintext } = await createApiKey({
      workspaceId: workspace.id,
      name: "analytics only",
      kind: "SECRET",
      scopes: ["analytics:read"],
    });
    const refused = await subscribe(subscriberProcess, messageActivity, {}, plaintext);
    const denial = await refused.next();
    expect(denial.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(denial.data?.messageActivity ?? null).toBeNull();
    await refused.close();
  });
});
