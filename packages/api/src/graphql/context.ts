import type { KeyGrant } from "../domain/workspaces/api-keys.ts";
import type { ChangeFeed } from "./live/change-feed.ts";
import type { MissingCredential } from "./unauthenticated-error.ts";

/** Who is calling: the root admin, a workspace's key, or nobody (and why nobody). */
export type Principal =
  | { kind: "admin" }
  | ({ kind: "key" } & KeyGrant)
  | { kind: "anonymous"; credential: MissingCredential };

export interface Context {
  principal: Principal;
  /** The HTTP request, which Yoga puts in every context (ingestion checks its Origin). */
  request?: Request;
  /** This process's database change feed, for subscriptions. */
  feed?: ChangeFeed;
}
