import { TemplateRenderError } from "@cartwheel/templates";
import { installTemplateLibrary } from "../domain/email-templates/template-library.ts";
import {
  archiveTemplate,
  countTemplates,
  createTemplate,
  listTemplates,
  loadTemplate,
  updateTemplate,
} from "../domain/email-templates/templates.ts";
import { previewTemplate } from "../domain/messages/preview-template.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { EmailStatsRef, loadTemplateStats } from "./email-stats.ts";
import { ErrorInterface, mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { withoutUndefined } from "./input.ts";
import { inCallersWorkspace } from "./scoping.ts";

export const EmailKind = builder.enumType("EmailKind", {
  values: {
    MARKETING: { description: "Needs consent and carries List-Unsubscribe." },
    TRANSACTIONAL: { description: "Order and account mail; sent unless the address hard-bounced." },
  },
});

builder.objectType(TemplateRenderError, {
  name: "TemplateRenderError",
  description:
    "The Liquid does not parse or render. `line` and `column` (1-based) point into `part`, or into the partial named by `file`.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    part: t.exposeString("part", { description: "subject, preheader, html or text." }),
    kind: t.exposeString("kind", { description: "PARSE, RENDER, UNDEFINED_VARIABLE or LIMIT." }),
    line: t.exposeInt("line", { nullable: true }),
    column: t.exposeInt("column", { nullable: true }),
    file: t.exposeString("file", { nullable: true }),
  }),
});

const templateErrors = [...mutationErrors, TemplateRenderError];

export const TemplateVersion = builder.prismaObject("TemplateVersion", {
  description: "A template's content as it was at one version.",
  fields: (t) => ({
    version: t.exposeInt("version"),
    name: t.exposeString("name"),
    kind: t.expose("kind", { type: EmailKind }),
    subject: t.exposeString("subject"),
    preheader: t.exposeString("preheader", { nullable: true }),
    html: t.exposeString("html"),
    text: t.exposeString("text", { nullable: true }),
    fromName: t.exposeString("fromName", { nullable: true }),
    fromEmail: t.exposeString("fromEmail", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const Template = builder.prismaNode("Template", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "templates:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    kind: t.expose("kind", { type: EmailKind }),
    libraryKey: t.exposeString("libraryKey", {
      nullable: true,
      description: "The built-in template it was installed from, e.g. abandoned-cart.",
    }),
    subject: t.exposeString("subject", { description: "Liquid." }),
    preheader: t.exposeString("preheader", { nullable: true }),
    html: t.exposeString("html", { description: "Liquid; a fragment goes into the base layout." }),
    text: t.exposeString("text", {
      nullable: true,
      description: "Derived from the HTML when null.",
    }),
    fromName: t.exposeString("fromName", { nullable: true }),
    fromEmail: t.exposeString("fromEmail", { nullable: true }),
    requiredData: t.exposeStringList("requiredData", {
      description:
        "Variables every send must give, as paths (`order.number`, `cart.items`). A send without one (missing, null, empty) is refused with an InvalidInputError naming each under `data`; a scenario step fails and says which.",
    }),
    version: t.exposeInt("version", { description: "Goes up with every content change." }),
    archivedAt: t.expose("archivedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    versions: t.relation("versions", { query: { orderBy: { version: "desc" } } }),
    stats: t.field({
      type: EmailStatsRef,
      authScopes: { scope: "messages:read" },
      nullable: true,
      select: { id: true, workspaceId: true },
      resolve: (template, _args, context) =>
        loadTemplateStats(context, template.workspaceId, template.id),
    }),
  }),
});

builder.queryField("template", (t) =>
  t.prismaField({
    type: Template,
    nullable: true,
    authScopes: { scope: "templates:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let templateId: string;
      try {
        templateId = decodeId(id, "Template", ["id"]);
      } catch {
        return null;
      }
      return loadTemplate(workspaceOf(context.principal), templateId, query);
    },
  }),
);

builder.queryField("templates", (t) =>
  t.prismaConnection(
    {
      type: Template,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 200,
      authScopes: { scope: "templates:read" },
      args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
      totalCount: (_connection, { includeArchived }, context) =>
        countTemplates(workspaceOf(context.principal), includeArchived ?? false),
      resolve: (query, _root, { includeArchived }, context) =>
        listTemplates(workspaceOf(context.principal), {
          includeArchived: includeArchived ?? false,
          query,
        }),
    },
    {},
  ),
);

const CreateTemplateInput = builder.inputType("CreateTemplateInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    kind: t.field({ type: EmailKind, required: true }),
    subject: t.string({
      required: true,
      description: "Liquid, e.g. `Hi {{ contact.first_name }}`.",
    }),
    preheader: t.string(),
    html: t.string({
      required: true,
      description: "Liquid HTML; without <html> it goes into the base layout.",
    }),
    text: t.string({ description: "Liquid plain text; derived from the HTML when left out." }),
    fromName: t.string(),
    fromEmail: t.string({ description: "Default: the workspace's email settings." }),
    requiredData: t.stringList({
      description: "Variables every send must give, e.g. `order.number`. Default: none.",
    }),
  }),
});

builder.mutationField("createTemplate", (t) =>
  t.field({
    type: Template,
    description:
      "Creates a template (version 1). Liquid syntax errors come back as TemplateRenderError.",
    authScopes: { scope: "templates:write" },
    errors: { types: templateErrors, dataField: { name: "template" } },
    args: { input: t.arg({ type: CreateTemplateInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createTemplate(workspaceOf(context.principal), withoutUndefined(input)),
  }),
);

const TemplateFieldsInput = builder.inputType("TemplateFieldsInput", {
  description: "Fields to change; left out = kept, null = cleared (optional fields only).",
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    kind: t.field({ type: EmailKind }),
    subject: t.string(),
    preheader: t.string(),
    html: t.string(),
    text: t.string(),
    fromName: t.string(),
    fromEmail: t.string(),
    requiredData: t.stringList(),
  }),
});
const UpdateTemplateInput = builder.inputType("UpdateTemplateInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    fields: t.field({ type: TemplateFieldsInput, required: true }),
  }),
});

builder.mutationField("updateTemplate", (t) =>
  t.field({
    type: Template,
    description: "Changes a template; any content change makes a new version.",
    authScopes: { scope: "templates:write" },
    errors: { types: templateErrors, dataField: { name: "template" } },
    args: { input: t.arg({ type: UpdateTemplateInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateTemplate(
        workspaceOf(context.principal),
        decodeId(input.id, "Template", ["id"]),
        withoutUndefined(input.fields),
      ),
  }),
);

const ArchiveTemplateInput = builder.inputType("ArchiveTemplateInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("archiveTemplate", (t) =>
  t.field({
    type: Template,
    description: "Archives a template: hidden from `templates` by default and no longer sendable.",
    authScopes: { scope: "templates:write" },
    errors: { types: mutationErrors, dataField: { name: "template" } },
    args: { input: t.arg({ type: ArchiveTemplateInput, required: true }) },
    resolve: (_root, { input }, context) =>
      archiveTemplate(workspaceOf(context.principal), decodeId(input.id, "Template", ["id"])),
  }),
);

const InstallTemplateLibraryInput = builder.inputType("InstallTemplateLibraryInput", {
  fields: (t) => ({
    keys: t.stringList({
      description: 'Library keys to install, e.g. ["welcome"]; all when left out.',
    }),
  }),
});

const InstallTemplateLibraryPayload = builder
  .objectRef<Awaited<ReturnType<typeof installTemplateLibrary>>>("InstallTemplateLibraryPayload")
  .implement({
    fields: (t) => ({
      installedCount: t.exposeInt("installed", { description: "Templates added by this call." }),
      templates: t.field({
        type: [Template],
        description: "Every library template the workspace has.",
        resolve: (result) => result.templates,
      }),
    }),
  });

builder.mutationField("installTemplateLibrary", (t) =>
  t.field({
    type: InstallTemplateLibraryPayload,
    description: "Copies the built-in templates into the workspace. Idempotent.",
    authScopes: { scope: "templates:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: { input: t.arg({ type: InstallTemplateLibraryInput }) },
    resolve: (_root, { input }, context) =>
      installTemplateLibrary(workspaceOf(context.principal), { keys: input?.keys }),
  }),
);

const TemplatePreview = builder
  .objectRef<Awaited<ReturnType<typeof previewTemplate>>>("TemplatePreview")
  .implement({
    fields: (t) => ({
      subject: t.exposeString("subject"),
      preheader: t.exposeString("preheader"),
      html: t.exposeString("html"),
      text: t.exposeString("text"),
    }),
  });

const PreviewTemplateInput = builder.inputType("PreviewTemplateInput", {
  fields: (t) => ({
    templateId: t.id({ required: true }),
    contactId: t.id({ description: "Render as this contact would receive it." }),
    sampleData: t.field({
      type: "JSONObject",
      description:
        "Template variables (cart, order…); a library template uses its fixture when left out.",
    }),
    draft: t.field({
      type: TemplateFieldsInput,
      description:
        "Unsaved changes, as `updateTemplate` takes them, rendered instead of the saved fields; nothing is saved.",
    }),
  }),
});

builder.queryField("previewTemplate", (t) =>
  t.field({
    type: TemplatePreview,
    description:
      "Renders a template with strict Liquid, or returns the error with its line and column.",
    authScopes: { scope: "templates:read" },
    errors: { types: templateErrors, dataField: { name: "preview" } },
    args: { input: t.arg({ type: PreviewTemplateInput, required: true }) },
    resolve: (_root, { input }, context) =>
      previewTemplate(workspaceOf(context.principal), {
        templateId: decodeId(input.templateId, "Template", ["templateId"]),
        contactId: input.contactId ? decodeId(input.contactId, "Contact", ["contactId"]) : null,
        sampleData: input.sampleData ?? null,
        draft: input.draft ? withoutUndefined(input.draft) : null,
      }),
  }),
);
