import { isUuid } from "../domain/shared/validation.ts";
import type { Context } from "./context.ts";

/** An id no row has: lookups that must find nothing use it instead of erroring. */
export const nothing = "00000000-0000-0000-0000-000000000000";

/**
 * The `where` for loading one row of a workspace-owned model by id: it can only ever match a
 * row of the caller's own workspace, so another workspace's ids are indistinguishable from
 * ids that do not exist.
 */
export function inCallersWorkspace(id: string, { principal }: Context) {
  return {
    id_workspaceId: {
      workspaceId: principal.kind === "key" ? principal.workspaceId : nothing,
      id: isUuid(id) ? id : nothing,
    },
  };
}
