import { encodeGlobalID } from "@pothos/plugin-relay";
import { SegmentCycleError } from "../domain/segments/errors.ts";
import {
  type ExplainedCondition,
  explainSegment,
  explainUnsavedFilter,
} from "../domain/segments/explain.ts";
import { installSegmentTemplates, segmentTemplateKeys } from "../domain/segments/playbook.ts";
import {
  listSegmentMembers,
  loadContactsInOrder,
  previewSegment,
} from "../domain/segments/preview.ts";
import {
  countSegments,
  createSegment,
  deleteSegment,
  listSegments,
  updateSegment,
} from "../domain/segments/segments.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { Contact } from "./contacts.ts";
import { ErrorInterface, mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { inCallersWorkspace } from "./scoping.ts";
import { decodeFilterIds, encodeFilterIds, SegmentFilterInput } from "./segment-filter-input.ts";

builder.objectType(SegmentCycleError, {
  name: "SegmentCycleError",
  description: "The filter would make segments include each other; `segmentIds` is the loop.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    segmentIds: t.idList({
      resolve: (error) => error.segmentIds.map((id) => encodeGlobalID("Segment", id)),
    }),
  }),
});

export const Segment = builder.prismaNode("Segment", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "contacts:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    filter: t.field({
      type: "JSONObject",
      description: "The filter as saved (the SegmentFilterInput shape; values normalised).",
      resolve: (segment) => encodeFilterIds(segment.filter),
    }),
    templateKey: t.exposeString("templateKey", {
      nullable: true,
      description: "The ready-made segment this was installed from.",
    }),
    count: t.relationCount("memberships", {
      description: "Members now.",
      where: { isMember: true },
    }),
    members: t.prismaConnection(
      {
        type: Contact,
        cursor: "id_workspaceId",
        defaultSize: 50,
        maxSize: 500,
        resolve: (query, segment) => listSegmentMembers(segment.workspaceId, segment.id, query),
      },
      {},
    ),
    refreshedAt: t.expose("refreshedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("Contact", "segments", (t) =>
  t.field({
    type: [Segment],
    description: "The segments the contact is in now.",
    select: { segmentMemberships: { where: { isMember: true }, include: { segment: true } } },
    resolve: (contact) => contact.segmentMemberships.map((membership) => membership.segment),
  }),
);

builder.queryField("segments", (t) =>
  t.prismaConnection(
    {
      type: Segment,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 200,
      authScopes: { scope: "contacts:read" },
      totalCount: (_connection, _args, context) => countSegments(workspaceOf(context.principal)),
      resolve: (query, _root, _args, context) =>
        listSegments(workspaceOf(context.principal), query),
    },
    {},
  ),
);

const SegmentPreview = builder
  .objectRef<{ workspaceId: string; count: number; sampleContactIds: string[] }>("SegmentPreview")
  .implement({
    fields: (t) => ({
      count: t.exposeInt("count", { description: "Contacts matching now." }),
      sample: t.field({
        type: [Contact],
        description: "Some matching contacts, newest first.",
        resolve: (preview) => loadContactsInOrder(preview.workspaceId, preview.sampleContactIds),
      }),
    }),
  });

builder.queryField("previewSegment", (t) =>
  t.field({
    type: SegmentPreview,
    description: "Evaluates a filter without saving it.",
    authScopes: { scope: "contacts:read" },
    errors: { types: [InvalidInputError] },
    args: {
      filter: t.arg({ type: SegmentFilterInput, required: true }),
      sampleSize: t.arg.int({ defaultValue: 10, description: "At most 100." }),
    },
    resolve: async (_root, { filter, sampleSize }, context) => {
      const workspaceId = workspaceOf(context.principal);
      const preview = await previewSegment(workspaceId, decodeFilterIds(filter), {
        sampleSize: sampleSize ?? 10,
      });
      return { workspaceId, ...preview };
    },
  }),
);

const ExplainedEvent = builder
  .objectRef<ExplainedCondition["events"][number]>("ExplainedEvent")
  .implement({
    fields: (t) => ({
      eventId: t.exposeString("id"),
      name: t.exposeString("name"),
      occurredAt: t.expose("occurredAt", { type: "DateTime" }),
      properties: t.field({ type: "JSONObject", resolve: (event) => event.properties }),
    }),
  });

const ExplainedOrder = builder
  .objectRef<ExplainedCondition["orders"][number]>("ExplainedOrder")
  .implement({
    description: "An order a shopping-fact condition counted.",
    fields: (t) => ({
      orderId: t.exposeString("orderId", { description: "The shop's order id." }),
      orderedAt: t.expose("orderedAt", { type: "DateTime" }),
      status: t.exposeString("status"),
      currency: t.exposeString("currency"),
      netTotal: t.exposeString("netTotal", {
        description: 'The total after refunds, in major units of the currency ("49.90").',
      }),
    }),
  });

export const ExplainedConditionRef = builder.objectRef<ExplainedCondition>("ExplainedCondition");
ExplainedConditionRef.implement({
  description: "A node of a segment's filter and its outcome for one contact.",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "and, or, not, or the condition's kind." }),
    condition: t.field({
      type: "JSONObject",
      resolve: (node) => encodeFilterIds(node.condition ?? {}),
    }),
    matches: t.exposeBoolean("matches"),
    actual: t.string({
      nullable: true,
      description: "What was measured for the contact (a value, count or sum), as JSON.",
      resolve: (node) => (node.actual === null ? null : JSON.stringify(node.actual)),
    }),
    events: t.field({
      type: [ExplainedEvent],
      description: "The latest events the condition counted.",
      resolve: (node) => node.events,
    }),
    orders: t.field({
      type: [ExplainedOrder],
      description: "The latest orders an orders or purchased condition counted.",
      resolve: (node) => node.orders,
    }),
    children: t.field({ type: [ExplainedConditionRef], resolve: (node) => node.children }),
  }),
});

const SegmentExplanation = builder
  .objectRef<Awaited<ReturnType<typeof explainSegment>>>("SegmentExplanation")
  .implement({
    fields: (t) => ({
      isMember: t.exposeBoolean("isMember", { description: "Membership as stored." }),
      matches: t.exposeBoolean("matches", { description: "What the filter says right now." }),
      tree: t.field({ type: ExplainedConditionRef, resolve: (explanation) => explanation.tree }),
    }),
  });

builder.queryField("explainSegment", (t) =>
  t.field({
    type: SegmentExplanation,
    description: "Why a contact is in a segment or not, condition by condition.",
    authScopes: { scope: "contacts:read" },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: {
      segmentId: t.arg.id({ required: true }),
      contactId: t.arg.id({ required: true }),
    },
    resolve: (_root, args, context) =>
      explainSegment(
        workspaceOf(context.principal),
        decodeId(args.segmentId, "Segment", ["segmentId"]),
        decodeId(args.contactId, "Contact", ["contactId"]),
      ),
  }),
);

const FilterExplanation = builder
  .objectRef<Awaited<ReturnType<typeof explainUnsavedFilter>>>("FilterExplanation")
  .implement({
    fields: (t) => ({
      matches: t.exposeBoolean("matches", { description: "Whether the filter matches now." }),
      tree: t.field({ type: ExplainedConditionRef, resolve: (explanation) => explanation.tree }),
    }),
  });

builder.queryField("explainFilter", (t) =>
  t.field({
    type: FilterExplanation,
    description:
      "Why a filter that is not saved (a segment being edited) matches a contact or not, condition by condition.",
    authScopes: { scope: "contacts:read" },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: {
      filter: t.arg({ type: SegmentFilterInput, required: true }),
      contactId: t.arg.id({ required: true }),
    },
    resolve: (_root, args, context) =>
      explainUnsavedFilter(
        workspaceOf(context.principal),
        decodeFilterIds(args.filter),
        decodeId(args.contactId, "Contact", ["contactId"]),
      ),
  }),
);

const segmentErrors = [...mutationErrors, SegmentCycleError];

const CreateSegmentInput = builder.inputType("CreateSegmentInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    filter: t.field({ type: SegmentFilterInput, required: true }),
  }),
});

builder.mutationField("createSegment", (t) =>
  t.field({
    type: Segment,
    description: "Saves a segment and computes its members (no Segment Entered events for them).",
    authScopes: { allOf: ["segments:write", "contacts:read"] },
    errors: { types: segmentErrors, dataField: { name: "segment" } },
    args: { input: t.arg({ type: CreateSegmentInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createSegment(workspaceOf(context.principal), {
        name: input.name,
        description: input.description ?? null,
        filter: decodeFilterIds(input.filter),
      }),
  }),
);

const UpdateSegmentInput = builder.inputType("UpdateSegmentInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    description: t.string(),
    filter: t.field({ type: SegmentFilterInput }),
  }),
});

builder.mutationField("updateSegment", (t) =>
  t.field({
    type: Segment,
    description: "Changes a segment; a new filter recomputes its members.",
    authScopes: { allOf: ["segments:write", "contacts:read"] },
    errors: { types: segmentErrors, dataField: { name: "segment" } },
    args: { input: t.arg({ type: UpdateSegmentInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateSegment(workspaceOf(context.principal), decodeId(input.id, "Segment", ["id"]), {
        ...(input.name != null && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.filter != null && { filter: decodeFilterIds(input.filter) }),
      }),
  }),
);

const DeleteSegmentInput = builder.inputType("DeleteSegmentInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("deleteSegment", (t) =>
  t.field({
    type: "ID",
    description: "Deletes a segment. Refused (ConflictError) while another segment includes it.",
    authScopes: { allOf: ["segments:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "deletedSegmentId" } },
    args: { input: t.arg({ type: DeleteSegmentInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await deleteSegment(workspaceOf(context.principal), decodeId(input.id, "Segment", ["id"]));
      return input.id;
    },
  }),
);

const SegmentTemplate = builder.enumType("SegmentTemplate", {
  values: Object.fromEntries(
    segmentTemplateKeys.map((key) => [key.replace(/-/g, "_").toUpperCase(), { value: key }]),
  ),
});

const InstallSegmentTemplatesInput = builder.inputType("InstallSegmentTemplatesInput", {
  fields: (t) => ({
    templates: t.field({ type: [SegmentTemplate], description: "All of them when left out." }),
    vipMinimumSpend: t.float({ description: "Total spent that makes a VIP. Default 500." }),
    readyToBuyMinimumScore: t.int({
      description: "Score that makes a prospect ready. Default 50.",
    }),
    unengagedDays: t.int({
      description:
        "Days without a human open or click that make a subscriber unengaged. Default 90.",
    }),
  }),
});

builder.mutationField("installSegmentTemplates", (t) =>
  t.field({
    type: [Segment],
    description:
      "Installs ready-made segments: engaged subscribers, unengaged subscribers, VIP customers, prospects ready to buy, one-time buyers, lapsed customers, cart abandoners. Templates already installed are returned unchanged.",
    authScopes: { allOf: ["segments:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "segments" } },
    args: { input: t.arg({ type: InstallSegmentTemplatesInput, required: true }) },
    resolve: (_root, { input }, context) =>
      installSegmentTemplates(workspaceOf(context.principal), {
        ...(input.templates && {
          templates: input.templates as (typeof segmentTemplateKeys)[number][],
        }),
        ...(input.vipMinimumSpend != null && { vipMinimumSpend: input.vipMinimumSpend }),
        ...(input.readyToBuyMinimumScore != null && {
          readyToBuyMinimumScore: input.readyToBuyMinimumScore,
        }),
        ...(input.unengagedDays != null && { unengagedDays: input.unengagedDays }),
      }),
  }),
);
