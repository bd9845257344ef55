import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { disconnectDatabase } from "../../src/db.ts";
import { databaseUrlFor } from "./database-urls.ts";

/**
 * A vitest setup file: gives this test file its own database cloned from the migrated
 * template, points DATABASE_URL at it before any app code connects, and drops it afterwards.
 */
const database = `cw_test_${randomBytes(5).toString("hex")}`;
const template = inject("templateDatabase");
const server = inject("serverUrl");
const admin = new pg.Client({ connectionString: server });
await admin.connect();
for (let attempt = 0; ; attempt++) {
  try {
    await admin.query(`CREATE DATABASE ${database} TEMPLATE ${template}`);
    break;
  } catch (error) {
    // Another file may be cloning the template this very moment.
    if (attempt > 20 || !String(error).includes("being accessed by other users")) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
  }
}
process.env.DATABASE_URL = databaseUrlFor(server, database);

afterAll(async () => {
  await disconnectDatabase();
  // Pools a test stopped (a worker runner's, say) may still be closing their connections; give
  // them a moment before cutting them off, since a cut connection errors in its owner.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      break;
    } catch (error) {
      if (!String(error).includes("being accessed by other users")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});
