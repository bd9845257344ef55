export { applyMigrations } from "./platform/apply-migrations.ts";
export {
  clusterDirectory,
  ensureDatabase,
  type RunningPostgres,
  startEmbeddedPostgres,
} from "./platform/embedded-postgres.ts";
export { freePort } from "./platform/free-port.ts";
export { diffSchemas } from "./platform/migrations.ts";
export { prepareDatabase } from "./platform/prepare-database.ts";
