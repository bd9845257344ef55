import { tagContacts, untagContacts } from "../domain/contacts/tag-contacts.ts";
import { countTags, createTag, deleteTag, listTags, renameTag } from "../domain/tags/tags.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { inCallersWorkspace } from "./scoping.ts";

export const Tag = builder.prismaNode("Tag", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "contacts:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    contactCount: t.relationCount("contacts"),
  }),
});

builder.queryField("tags", (t) =>
  t.prismaConnection(
    {
      type: Tag,
      cursor: "id_workspaceId",
      defaultSize: 100,
      maxSize: 500,
      authScopes: { scope: "contacts:read" },
      totalCount: (_connection, _args, context) => countTags(workspaceOf(context.principal)),
      resolve: (query, _root, _args, context) => listTags(workspaceOf(context.principal), query),
    },
    {},
  ),
);

const CreateTagInput = builder.inputType("CreateTagInput", {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

builder.mutationField("createTag", (t) =>
  t.field({
    type: Tag,
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "tag" } },
    args: { input: t.arg({ type: CreateTagInput, required: true }) },
    resolve: (_root, { input }, context) => createTag(workspaceOf(context.principal), input.name),
  }),
);

const RenameTagInput = builder.inputType("RenameTagInput", {
  fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: true }) }),
});

builder.mutationField("renameTag", (t) =>
  t.field({
    type: Tag,
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "tag" } },
    args: { input: t.arg({ type: RenameTagInput, required: true }) },
    resolve: (_root, { input }, context) =>
      renameTag(workspaceOf(context.principal), decodeId(input.id, "Tag", ["id"]), input.name),
  }),
);

const DeleteTagInput = builder.inputType("DeleteTagInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("deleteTag", (t) =>
  t.field({
    type: "ID",
    description: "Deletes a tag and takes it off every contact. Returns the deleted id.",
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "deletedTagId" } },
    args: { input: t.arg({ type: DeleteTagInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await deleteTag(workspaceOf(context.principal), decodeId(input.id, "Tag", ["id"]));
      return input.id;
    },
  }),
);

const TagContactsInput = builder.inputType("TagContactsInput", {
  fields: (t) => ({
    contactIds: t.idList({ required: true, description: "Up to 1,000 contacts." }),
    tags: t.stringList({ required: true, description: "Names of existing tags." }),
  }),
});

const TaggingPayload = builder.objectRef<{ changed: number }>("TaggingPayload").implement({
  fields: (t) => ({
    changedCount: t.exposeInt("changed", {
      description: "Taggings added or removed by this call.",
    }),
  }),
});

for (const [name, change, verb] of [
  ["tagContacts", tagContacts, "Adds"],
  ["untagContacts", untagContacts, "Takes"],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: TaggingPayload,
      description: `${verb} existing tags ${verb === "Adds" ? "to" : "off"} contacts. An unknown tag or contact fails the whole call and changes nothing.`,
      authScopes: { scope: "contacts:write" },
      errors: { types: mutationErrors, dataField: { name: "result" } },
      args: { input: t.arg({ type: TagContactsInput, required: true }) },
      resolve: async (_root, { input }, context) => ({
        changed: await change(workspaceOf(context.principal), {
          contactIds: input.contactIds.map((id, index) =>
            decodeId(String(id), "Contact", ["contactIds", String(index)]),
          ),
          tags: input.tags,
        }),
      }),
    }),
  );
}
