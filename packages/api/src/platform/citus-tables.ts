/**
 * How the tables of `public` spread over a Citus cluster (docs/scaling.md). Every table not
 * named here is distributed by `workspace_id`, co-located with the others, and must keep
 * `workspace_id` in its primary key, in every unique key and in every foreign key to another
 * distributed table (tests/citus-readiness.test.ts reads the catalog and holds it to that).
 */

/** Replicated to every node: small, read everywhere, written rarely. */
export const referenceTables = {
  workspaces: "every workspace table's foreign key points at it; one row per shop",
  api_keys:
    "a request's key is looked up by its hash before the workspace is known; a few rows per shop",
} as const;

/** Kept on the coordinator only, beside graphile-worker's own schema that they go with. */
export const coordinatorTables = {
  worker_heartbeats: "graphile-worker's liveness, read together with graphile_worker's job tables",
  _prisma_migrations: "the migration history, applied on the coordinator",
} as const;
