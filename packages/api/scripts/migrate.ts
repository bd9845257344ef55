/** Applies pending migrations to DATABASE_URL: `npm run db:migrate`. */
import { prepareDatabase } from "../src/platform/prepare-database.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set: name the Postgres database to migrate.");
  process.exit(1);
}
const applied = await prepareDatabase(databaseUrl);
console.log(applied.length ? `Applied ${applied.join(", ")}` : "The database is up to date.");
process.exit(0);
