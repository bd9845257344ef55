import { TemplateRenderError } from "@cartwheel/templates";
import { sendTestEmail } from "../domain/messages/delivery/send-test-email.ts";
import { countMessages, listMessages, loadMessage } from "../domain/messages/list-messages.ts";
import { messageStats } from "../domain/messages/message-stats.ts";
import { type QueueEmailInput, queueEmail } from "../domain/messages/queue/queue-email.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { EmailStatsRef } from "./email-stats.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls } from "./input.ts";
import { RecommendationBlockInput } from "./scenario-definition-input.ts";
import { inCallersWorkspace } from "./scoping.ts";
import { EmailKind } from "./templates.ts";

const MessageStatus = builder.enumType("MessageStatus", {
  values: {
    QUEUED: { description: "Waiting for the worker." },
    SENDING: { description: "Being handed to SES right now." },
    SENT: { description: "Accepted by SES; `sesMessageId` is set." },
    FAILED: { description: "Not sent; `statusReason` says why." },
    SUPPRESSED: {
      description:
        "Not sent to protect the recipient: no consent, unsubscribed, bounced or complained.",
    },
  },
});

export const Message = builder.prismaNode("Message", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "messages:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    kind: t.expose("kind", { type: EmailKind }),
    status: t.expose("status", { type: MessageStatus }),
    statusReason: t.exposeString("statusReason", { nullable: true }),
    isTest: t.exposeBoolean("isTest"),
    idempotencyKey: t.exposeString("idempotencyKey"),
    toEmail: t.exposeString("toEmail"),
    fromEmail: t.exposeString("fromEmail", { nullable: true }),
    subject: t.exposeString("subject", { nullable: true, description: "Set once rendered." }),
    data: t.expose("data", {
      type: "JSONObject",
      description: "The template data it was sent with.",
    }),
    attempts: t.exposeInt("attempts"),
    sesMessageId: t.exposeString("sesMessageId", { nullable: true }),
    queuedAt: t.expose("queuedAt", { type: "DateTime" }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    openedAt: t.expose("openedAt", { type: "DateTime", nullable: true }),
    machineOpenedAt: t.expose("machineOpenedAt", {
      type: "DateTime",
      nullable: true,
      description: "First Apple Mail privacy pre-fetch of the open pixel.",
    }),
    clickedAt: t.expose("clickedAt", { type: "DateTime", nullable: true }),
    bouncedAt: t.expose("bouncedAt", { type: "DateTime", nullable: true }),
    bounceType: t.exposeString("bounceType", { nullable: true }),
    complainedAt: t.expose("complainedAt", { type: "DateTime", nullable: true }),
    unsubscribedAt: t.expose("unsubscribedAt", { type: "DateTime", nullable: true }),
    openCount: t.exposeInt("openCount"),
    clickCount: t.exposeInt("clickCount"),
    contact: t.relation("contact", { nullable: true }),
    template: t.relation("template", { nullable: true }),
    templateVersion: t.relation("templateVersion", { nullable: true }),
    stats: t.field({
      type: EmailStatsRef,
      select: {
        status: true,
        sentAt: true,
        deliveredAt: true,
        openedAt: true,
        clickedAt: true,
        bouncedAt: true,
        complainedAt: true,
        unsubscribedAt: true,
      },
      resolve: (message) => messageStats(message),
    }),
  }),
});

builder.queryField("message", (t) =>
  t.prismaField({
    type: Message,
    nullable: true,
    authScopes: { scope: "messages:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let messageId: string;
      try {
        messageId = decodeId(id, "Message", ["id"]);
      } catch {
        return null;
      }
      return loadMessage(workspaceOf(context.principal), messageId, query);
    },
  }),
);

const MessageFilter = builder.inputType("MessageFilter", {
  fields: (t) => ({
    templateId: t.id(),
    contactId: t.id(),
    status: t.field({ type: [MessageStatus] }),
  }),
});

builder.queryField("messages", (t) =>
  t.prismaConnection(
    {
      type: Message,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      authScopes: { scope: "messages:read" },
      args: { filter: t.arg({ type: MessageFilter }) },
      totalCount: (_connection, { filter }, context) =>
        countMessages(workspaceOf(context.principal), toDomainFilter(filter)),
      resolve: (query, _root, { filter }, context) =>
        listMessages(workspaceOf(context.principal), { filter: toDomainFilter(filter), query }),
    },
    {},
  ),
);

function toDomainFilter(filter: typeof MessageFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  return {
    templateId: filter.templateId
      ? decodeId(filter.templateId, "Template", ["filter", "templateId"])
      : undefined,
    contactId: filter.contactId
      ? decodeId(filter.contactId, "Contact", ["filter", "contactId"])
      : undefined,
    status: filter.status ?? undefined,
  };
}

const RecommendFromInput = builder.inputType("RecommendFromInput", {
  fields: (t) => ({
    cartId: t.string({ description: "The shop's cart id." }),
    orderId: t.string({ description: "The shop's order id." }),
    productIds: t.stringList({ description: "The shop's product ids, up to 50." }),
  }),
});

const SendEmailInput = builder.inputType("SendEmailInput", {
  fields: (t) => ({
    templateId: t.id({ required: true }),
    contactId: t.id({ required: true }),
    data: t.field({
      type: "JSONObject",
      description: "Template variables: cart, order, recommendations…",
    }),
    idempotencyKey: t.string({
      required: true,
      description:
        "Your key for this send; repeating it returns the first message and sends nothing.",
    }),
    recommendations: t.field({
      type: [RecommendationBlockInput],
      description:
        "Up to 5 blocks of products chosen now, each with its own name, read by the template as `recommendations.<block>`. A block never fails the send: an anchor not known yet is left out, and with none left it shows bestsellers.",
    }),
    recommendFrom: t.field({
      type: RecommendFromInput,
      description: "What the blocks start from, beside the contact.",
    }),
  }),
});

const SendEmailPayload = builder
  .objectRef<Awaited<ReturnType<typeof queueEmail>>>("SendEmailPayload")
  .implement({
    fields: (t) => ({
      message: t.field({ type: Message, resolve: (result) => result.message }),
      created: t.exposeBoolean("created", {
        description: "False when the idempotency key was used before.",
      }),
    }),
  });

builder.mutationField("sendEmail", (t) =>
  t.field({
    type: SendEmailPayload,
    description: "Queues an email to a contact; the worker renders and sends it once.",
    authScopes: { scope: "messages:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: { input: t.arg({ type: SendEmailInput, required: true }) },
    resolve: (_root, { input }, context) =>
      queueEmail(workspaceOf(context.principal), {
        templateId: decodeId(input.templateId, "Template", ["templateId"]),
        contactId: decodeId(input.contactId, "Contact", ["contactId"]),
        data: input.data ?? {},
        idempotencyKey: input.idempotencyKey,
        ...(input.recommendations && {
          // Its fields are optional in the schema so that a missing one is refused by the
          // domain's validation at its path, as in scenario documents.
          recommendations: input.recommendations.map((block) =>
            withoutNulls(block),
          ) as QueueEmailInput["recommendations"],
        }),
        ...(input.recommendFrom && { recommendFrom: withoutNulls(input.recommendFrom) }),
      }),
  }),
);

const SendTestEmailInput = builder.inputType("SendTestEmailInput", {
  fields: (t) => ({
    templateId: t.id({ required: true }),
    to: t.string({ required: true }),
    sampleData: t.field({ type: "JSONObject" }),
  }),
});

builder.mutationField("sendTestEmail", (t) =>
  t.field({
    type: Message,
    description:
      "Sends a template to any address now, marked as a test; consent rules do not apply.",
    authScopes: { scope: "messages:write" },
    // Not `message`: that would clash with `Error.message` in the result union.
    errors: { types: [...mutationErrors, TemplateRenderError], dataField: { name: "testMessage" } },
    args: { input: t.arg({ type: SendTestEmailInput, required: true }) },
    resolve: (_root, { input }, context) =>
      sendTestEmail(workspaceOf(context.principal), {
        templateId: decodeId(input.templateId, "Template", ["templateId"]),
        to: input.to,
        sampleData: input.sampleData ?? null,
      }),
  }),
);
