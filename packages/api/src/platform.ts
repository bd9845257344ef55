export {
  ensureDatabase,
  type RunningPostgres,
  startEmbeddedPostgres,
} from "./platform/embedded-postgres.ts";
export { applyMigrations } from "./platform/apply-migrations.ts";
export { diffSchemas } from "./platform/migrations.ts";
export { prepareDatabase } from "./platform/prepare-database.ts";
