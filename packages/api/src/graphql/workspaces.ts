import { isUuid } from "../domain/shared/validation.ts";
import {
  apiScopes,
  createApiKey,
  revokeApiKey,
  workspaceOfApiKey,
} from "../domain/workspaces/api-keys.ts";
import {
  createWorkspace,
  loadWorkspace,
  updateWorkspace,
} from "../domain/workspaces/workspaces.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { nothing } from "./scoping.ts";

export const Workspace = builder.prismaNode("Workspace", {
  id: { field: "id" },
  authScopes: { admin: true, workspace: true },
  nullable: true,
  findUnique: (id, { principal }) => ({
    id:
      isUuid(id) &&
      (principal.kind === "admin" || (principal.kind === "key" && principal.workspaceId === id))
        ? id
        : nothing,
  }),
  fields: (t) => ({
    name: t.exposeString("name"),
    allowedOrigins: t.exposeStringList("allowedOrigins", {
      description: "Storefront origins allowed to send browser events with a public key.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    identitySecret: t.exposeString("identitySecret", {
      authScopes: { scope: "keys:write" },
      nullable: true,
      description:
        "Your backend signs a signed-in shopper's userId with it: userHash = hex HMAC-SHA256(userId). A browser identify with a matching userHash may update the contact; without one it may only create a contact and link its history. Keep it on the server.",
    }),
    webhookSecret: t.exposeString("webhookSecret", {
      authScopes: { scope: "keys:write" },
      nullable: true,
      description:
        'Scenario webhooks carry `X-Cartwheel-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" with it>`; verify it on receipt.',
    }),
    apiKeys: t.relation("apiKeys", {
      authScopes: { admin: true, scope: "keys:write" },
      query: { orderBy: { createdAt: "asc" } },
    }),
  }),
});

const ApiScopeEnum = builder.enumType("ApiScope", {
  values: Object.fromEntries(
    apiScopes.map((scope) => [scope.replace(":", "_").toUpperCase(), { value: scope }]),
  ),
});
const ApiKeyKindEnum = builder.enumType("ApiKeyKind", {
  values: {
    SECRET: {
      description: "Server-side key: full access to its workspace, or only the scopes it holds.",
    },
    PUBLIC: { description: "Browser-safe key: can only send events." },
  },
});

export const ApiKey = builder.prismaNode("ApiKey", {
  id: { field: "id" },
  authScopes: { admin: true, scope: "keys:write" },
  nullable: true,
  findUnique: (id, context) =>
    context.principal.kind === "admin"
      ? { id: isUuid(id) ? id : nothing }
      : {
          id: isUuid(id) ? id : nothing,
          workspaceId: context.principal.kind === "key" ? context.principal.workspaceId : nothing,
        },
  fields: (t) => ({
    name: t.exposeString("name"),
    kind: t.expose("kind", { type: ApiKeyKindEnum }),
    scopes: t.field({
      type: [ApiScopeEnum],
      description: "Empty for a full-access secret key.",
      resolve: (key) => key.scopes as (typeof apiScopes)[number][],
    }),
    prefix: t.exposeString("prefix", {
      description: "The key's first characters, to tell keys apart.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    workspace: t.relation("workspace"),
  }),
});

builder.queryField("workspace", (t) =>
  t.prismaField({
    type: Workspace,
    description: "The workspace of the calling key.",
    authScopes: { workspace: true },
    resolve: (query, _root, _args, context) => loadWorkspace(workspaceOf(context.principal), query),
  }),
);

const CreateWorkspaceInput = builder.inputType("CreateWorkspaceInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    allowedOrigins: t.stringList({ description: 'e.g. ["https://shop.example"]' }),
  }),
});

builder.mutationField("createWorkspace", (t) =>
  t.field({
    type: Workspace,
    description: "Creates a workspace (a shop). Root admin key only.",
    authScopes: { admin: true },
    errors: { types: mutationErrors, dataField: { name: "workspace" } },
    args: { input: t.arg({ type: CreateWorkspaceInput, required: true }) },
    resolve: (_root, { input }) =>
      createWorkspace({ name: input.name, allowedOrigins: input.allowedOrigins ?? [] }),
  }),
);

const UpdateWorkspaceInput = builder.inputType("UpdateWorkspaceInput", {
  fields: (t) => ({
    name: t.string(),
    allowedOrigins: t.stringList(),
  }),
});

builder.mutationField("updateWorkspace", (t) =>
  t.field({
    type: Workspace,
    description: "Renames the calling key's workspace or sets its allowed storefront origins.",
    authScopes: { scope: "keys:write" },
    errors: { types: mutationErrors, dataField: { name: "workspace" } },
    args: { input: t.arg({ type: UpdateWorkspaceInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateWorkspace(workspaceOf(context.principal), {
        name: input.name ?? undefined,
        allowedOrigins: input.allowedOrigins ?? undefined,
      }),
  }),
);

const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
  fields: (t) => ({
    workspaceId: t.id({
      description:
        "Required with the root admin key; a workspace key creates keys for its own workspace.",
    }),
    name: t.string({ required: true }),
    kind: t.field({ type: ApiKeyKindEnum, required: true }),
    scopes: t.field({
      type: [ApiScopeEnum],
      description: "Leave empty for a full-access secret key.",
    }),
  }),
});

const CreatedApiKey = builder
  .objectRef<{ apiKey: Awaited<ReturnType<typeof createApiKey>>["apiKey"]; plaintext: string }>(
    "CreatedApiKey",
  )
  .implement({
    fields: (t) => ({
      apiKey: t.field({ type: ApiKey, resolve: (created) => created.apiKey }),
      plaintext: t.exposeString("plaintext", {
        description: "The key itself. Shown only this once; store it now.",
      }),
    }),
  });

builder.mutationField("createApiKey", (t) =>
  t.field({
    type: CreatedApiKey,
    authScopes: { admin: true, scope: "keys:write" },
    errors: { types: mutationErrors, dataField: { name: "created" } },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, { principal }) =>
      createApiKey({
        workspaceId:
          principal.kind === "key"
            ? principal.workspaceId
            : decodeId(input.workspaceId ?? "", "Workspace", ["workspaceId"]),
        name: input.name,
        kind: input.kind,
        scopes: input.scopes ?? [],
      }),
  }),
);

const RevokeApiKeyInput = builder.inputType("RevokeApiKeyInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("revokeApiKey", (t) =>
  t.field({
    type: ApiKey,
    authScopes: { admin: true, scope: "keys:write" },
    errors: { types: mutationErrors, dataField: { name: "apiKey" } },
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: async (_root, { input }, { principal }) => {
      const keyId = decodeId(input.id, "ApiKey", ["id"]);
      return principal.kind === "key"
        ? revokeApiKey(principal.workspaceId, keyId)
        : revokeApiKey(await workspaceOfApiKey(keyId), keyId);
    },
  }),
);
