import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { prepareDatabase } from "../../src/platform/prepare-database.ts";
import { databaseUrlFor, serverUrl } from "./database-urls.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
    serverUrl: string;
  }
}

/**
 * Migrates one template database per test run; each test file then clones its own copy
 * (`CREATE DATABASE … TEMPLATE …`), so files run in parallel on separate data.
 */
export default async function setup(project: TestProject) {
  const template = `cw_template_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await prepareDatabase(databaseUrlFor(serverUrl(), template));
  project.provide("templateDatabase", template);
  project.provide("serverUrl", serverUrl());
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
