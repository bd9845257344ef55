import { makeTemplateEngine } from "@cartwheel/templates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { makeTemplateVersionCache } from "../src/domain/email-templates/template-version-cache.ts";
import { updateTemplate } from "../src/domain/email-templates/templates.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  startLocalSes,
} from "./support/index.ts";

let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

async function queue(workspaceId: string, templateId: string, contactId: string) {
  const { message } = await queueEmail(workspaceId, {
    templateId,
    contactId,
    idempotencyKey: `k-${Math.random()}`,
  });
  return message;
}

const versionsOf = (templateId: string) =>
  db().templateVersion.findMany({ where: { templateId }, orderBy: { version: "asc" } });

describe("the send path's caches and grouped writes", () => {
  it("sends a template's new version right after it is published, in the same process", async () => {
    const { workspace } = await createEmailWorkspace();
    const contact = await createMailContact(workspace.id, { firstName: "Ada" });
    const template = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
    const engine = makeTemplateEngine();
    const first = await queue(workspace.id, template.id, contact.id);
    expect((await deliverMessage(first.id, { sender: ses.sender, engine })).status).toBe("SENT");

    await updateTemplate(workspace.id, template.id, {
      subject: "Version two for {{ contact.first_name }}",
      html: "<p>The second version</p>",
    });
    const second = await queue(workspace.id, template.id, contact.id);
    expect((await deliverMessage(second.id, { sender: ses.sender, engine })).status).toBe("SENT");

    const sent = await ses.emails(contact.email!);
    expect(sent.map((email) => email.subject)).toEqual([
      "Grüße, Ada — Northwind Göods",
      "Version two for Ada",
    ]);
    expect(sent[1]!.body.html).toContain("The second version");
    expect(sent[1]!.body.html).not.toContain("Shop the sale");
  });

  it("keeps at most its bound of versions and reads only the asked workspace's", async () => {
    const { workspace } = await createEmailWorkspace();
    const { workspace: other } = await createEmailWorkspace();
    const template = await createSimpleTemplate(workspace.id);
    for (const n of [2, 3]) {
      await updateTemplate(workspace.id, template.id, { subject: `Subject ${n}` });
    }
    const versions = await versionsOf(template.id);
    expect(versions).toHaveLength(3);
    const cache = makeTemplateVersionCache({ max: 2 });

    for (const version of versions) {
      expect((await cache.load(workspace.id, version.id))?.subject).toBe(version.subject);
    }
    expect(cache.size).toBe(2);
    expect(await cache.load(other.id, versions[2]!.id)).toBeNull();
  });

  it("serves a cached version without reading it again", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createSimpleTemplate(workspace.id);
    const [version] = await versionsOf(template.id);
    const cache = makeTemplateVersionCache({ max: 10 });
    const loaded = await cache.load(workspace.id, version!.id);
    // Rows are never updated by the product; this only proves the second load is a cache hit.
    await db().templateVersion.update({
      where: { id_workspaceId: { id: version!.id, workspaceId: workspace.id } },
      data: { subject: "edited" },
    });
    expect(await cache.load(workspace.id, version!.id)).toBe(loaded);
  });

  it("marks sends that finish together SENT, each with its own SES MessageId", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
    const messages = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const contact = await createMailContact(workspace.id);
        return queue(workspace.id, template.id, contact.id);
      }),
    );
    const results = await Promise.all(
      messages.map((message) => deliverMessage(message.id, { sender: ses.sender })),
    );
    const rows = await db().message.findMany({ where: { id: { in: messages.map((m) => m.id) } } });
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => "SENT"));
    for (const [index, message] of messages.entries()) {
      const result = results[index]!;
      expect(result.status).toBe("SENT");
      const row = rows.find((candidate) => candidate.id === message.id)!;
      expect(row.sesMessageId).toBe(result.status === "SENT" ? result.providerMessageId : null);
      expect(row.sentAt).not.toBeNull();
    }
    expect(new Set(rows.map((row) => row.sesMessageId)).size).toBe(8);
  });
});
