import type { ApiScope } from "../domain/workspaces/api-keys.ts";
import { grantAllows } from "../domain/workspaces/api-keys.ts";
import type { Principal } from "./context.ts";

/** The scopes resolvers are guarded by (`authScopes: { … }`, any one of them suffices). */
export interface AuthScopes {
  /** The root admin key. */
  admin: boolean;
  /** Any secret key of a workspace. */
  workspace: boolean;
  /** A key that holds this scope. */
  scope: ApiScope;
  /** A key that holds every one of these scopes. */
  allOf: readonly ApiScope[];
}

/**
 * What a principal passes. A public key is browser-visible: it may ingest events (its one
 * scope) and nothing else.
 *
 * @example authScopesOf({ kind: "admin" }).admin // true
 */
export function authScopesOf(principal: Principal) {
  const holds = (scope: ApiScope) => principal.kind === "key" && grantAllows(principal, scope);
  return {
    admin: principal.kind === "admin",
    workspace: principal.kind === "key" && principal.keyKind === "SECRET",
    scope: holds,
    allOf: (scopes: readonly ApiScope[]) => scopes.every(holds),
  };
}
