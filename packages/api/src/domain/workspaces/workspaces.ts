import { z } from "zod";
import { db } from "../../db.ts";
import type { Workspace } from "../../generated/prisma/client.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { forgetAllowedOrigins } from "./allowed-origins.ts";

const origin = z
  .string()
  .trim()
  .transform((value, context) => {
    try {
      const url = new URL(value);
      if (
        (url.protocol === "http:" || url.protocol === "https:") &&
        url.origin === value.replace(/\/$/, "")
      ) {
        return url.origin;
      }
    } catch {}
    context.addIssue({
      code: "custom",
      message: `"${value}" is not an origin such as https://shop.example`,
    });
    return z.NEVER;
  });

const workspaceFields = {
  name: z.string().trim().min(1, "must not be empty").max(200),
  allowedOrigins: z.array(origin).max(50),
};

const createWorkspaceInput = z.object({
  ...workspaceFields,
  allowedOrigins: workspaceFields.allowedOrigins.default([]),
});
const updateWorkspaceInput = z.object({
  name: workspaceFields.name.optional(),
  allowedOrigins: workspaceFields.allowedOrigins.optional(),
});

export async function createWorkspace(
  input: z.input<typeof createWorkspaceInput>,
): Promise<Workspace> {
  const data = parseInput(createWorkspaceInput, input);
  return db().workspace.create({
    data: { ...data, allowedOrigins: [...new Set(data.allowedOrigins)] },
  });
}

export async function updateWorkspace(
  workspaceId: string,
  input: z.input<typeof updateWorkspaceInput>,
): Promise<Workspace> {
  const data = parseInput(updateWorkspaceInput, input);
  await findWorkspace(workspaceId);
  const updated = await db().workspace.update({
    where: { id: workspaceId },
    data: {
      ...(data.name !== undefined && { name: data.name }),
      ...(data.allowedOrigins && { allowedOrigins: [...new Set(data.allowedOrigins)] }),
    },
  });
  forgetAllowedOrigins(workspaceId);
  return updated;
}

export async function findWorkspace(workspaceId: string): Promise<Workspace> {
  const workspace = isUuid(workspaceId)
    ? await db().workspace.findUnique({ where: { id: workspaceId } })
    : null;
  if (!workspace) throw new NotFoundError("Workspace", workspaceId);
  return workspace;
}

/** Loads a workspace with Pothos's selection (`query`), so nested fields come in one query. */
export async function loadWorkspace<Q extends object>(workspaceId: string, query: Q) {
  const workspace = isUuid(workspaceId)
    ? await db().workspace.findUnique({ ...query, where: { id: workspaceId } })
    : null;
  if (!workspace) throw new NotFoundError("Workspace", workspaceId);
  return workspace;
}
