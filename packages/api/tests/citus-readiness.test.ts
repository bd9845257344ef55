import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coordinatorTables, referenceTables } from "../src/platform/citus-tables.ts";
import { listMigrationNames, migrationsDir } from "../src/platform/migrations.ts";
import { citusProblems } from "./support/citus-readiness.ts";

const placement = {
  reference: Object.keys(referenceTables),
  coordinator: Object.keys(coordinatorTables),
};
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });

beforeAll(() => client.connect());
afterAll(() => client.end());

describe("the schema is ready for Citus, sharded by workspace_id", () => {
  it("every table not listed as reference or coordinator table keys and references by workspace_id", async () => {
    expect(await citusProblems(client, placement)).toEqual([]);
  });

  it("keeps the list of non-distributed tables short", () => {
    expect(placement.reference.length + placement.coordinator.length).toBeLessThanOrEqual(4);
  });

  it("notices a unique index without workspace_id added to a real table", async () => {
    await client.query("BEGIN");
    try {
      await client.query("CREATE UNIQUE INDEX messages_ses_only ON messages (ses_message_id)");
      expect(await citusProblems(client, placement)).toEqual([
        "messages: unique index messages_ses_only does not include workspace_id",
      ]);
    } finally {
      await client.query("ROLLBACK");
    }
  });

  it("names the table and the constraint of every kind of breach", async () => {
    await client.query("BEGIN");
    try {
      await client.query(`
        CREATE SCHEMA probe;
        CREATE TABLE probe.shops (id uuid PRIMARY KEY);
        CREATE TABLE probe.notes (id uuid PRIMARY KEY);
        CREATE TABLE probe.items (id uuid PRIMARY KEY, workspace_id uuid REFERENCES probe.shops);
        CREATE TABLE probe.orders (
          workspace_id uuid NOT NULL REFERENCES probe.shops,
          id uuid NOT NULL,
          number text,
          CONSTRAINT orders_pkey PRIMARY KEY (workspace_id, id),
          CONSTRAINT orders_number_key UNIQUE (number));
        CREATE UNIQUE INDEX orders_open ON probe.orders (number) WHERE number IS NOT NULL;
        CREATE TABLE probe.lines (
          workspace_id uuid NOT NULL,
          id bigint NOT NULL,
          order_id uuid,
          item_id uuid,
          PRIMARY KEY (workspace_id, id),
          CONSTRAINT lines_item_fkey FOREIGN KEY (item_id) REFERENCES probe.items (id),
          CONSTRAINT lines_order_fkey FOREIGN KEY (workspace_id, order_id)
            REFERENCES probe.orders (workspace_id, id) ON DELETE SET NULL (order_id) ON UPDATE CASCADE);
        CREATE TABLE probe.swapped (
          workspace_id uuid NOT NULL,
          order_id uuid NOT NULL,
          PRIMARY KEY (workspace_id, order_id),
          CONSTRAINT swapped_order_fkey FOREIGN KEY (order_id, workspace_id)
            REFERENCES probe.orders (workspace_id, id));
        CREATE TABLE probe.logs (workspace_id uuid NOT NULL, line text);
        ALTER TABLE probe.shops ADD COLUMN first_order uuid,
          ADD COLUMN shop uuid,
          ADD CONSTRAINT shops_first_order_fkey FOREIGN KEY (shop, first_order)
            REFERENCES probe.orders (workspace_id, id);`);
      const problems = await citusProblems(
        client,
        { reference: ["shops", "gone"], coordinator: [] },
        "probe",
      );
      expect(problems.sort()).toEqual(
        [
          "gone: listed as not distributed, but no such table",
          "notes: has no workspace_id column",
          "items: workspace_id is nullable",
          "logs: has no primary key",
          "items: primary key items_pkey does not include workspace_id",
          "orders: unique index orders_number_key does not include workspace_id",
          "orders: unique index orders_open does not include workspace_id",
          "lines: foreign key lines_item_fkey to items does not pair workspace_id with workspace_id",
          "lines: foreign key lines_order_fkey sets columns on delete (SET NULL/DEFAULT)",
          "lines: foreign key lines_order_fkey acts on update (CASCADE/SET NULL/DEFAULT)",
          "swapped: foreign key swapped_order_fkey to orders does not pair workspace_id with workspace_id",
          "shops: foreign key shops_first_order_fkey points from a non-distributed table at distributed orders",
        ].sort(),
      );
    } finally {
      await client.query("ROLLBACK");
    }
  });

  it("the migration to these keys keeps existing taggings and split winners, in their workspaces", async () => {
    const names = await listMigrationNames();
    const keys = names.findIndex((name) => name.endsWith("_citus_ready_keys"));
    const script = (name: string) =>
      readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");
    await client.query("BEGIN");
    try {
      await client.query("CREATE SCHEMA upgrade; SET LOCAL search_path = upgrade");
      for (const name of names.slice(0, keys)) await client.query(await script(name));
      await client.query(`
        INSERT INTO workspaces (id, name, updated_at) VALUES
          ('00000000-0000-0000-0000-00000000000a', 'A', now()),
          ('00000000-0000-0000-0000-00000000000b', 'B', now());
        INSERT INTO contacts (id, workspace_id) VALUES
          ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-00000000000a'),
          ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-00000000000b');
        INSERT INTO tags (id, workspace_id, name) VALUES
          ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-00000000000a', 'vip'),
          ('00000000-0000-0000-0000-0000000000d2', '00000000-0000-0000-0000-00000000000b', 'vip');
        INSERT INTO contact_tags (contact_id, tag_id) VALUES
          ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000d1'),
          ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000000d2');
        INSERT INTO scenarios (id, workspace_id, name, definition, updated_at) VALUES
          ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-00000000000b', 'S', '{}', now());
        INSERT INTO scenario_split_winners (scenario_id, node_id, branch, decided_by, decided_at) VALUES
          ('00000000-0000-0000-0000-0000000000e1', 'ab', 'A', 'manual', now());`);
      for (const name of names.slice(keys)) await client.query(await script(name));
      const taggings = await client.query(
        "SELECT workspace_id::text, contact_id::text FROM contact_tags ORDER BY contact_id",
      );
      expect(taggings.rows).toEqual([
        {
          workspace_id: "00000000-0000-0000-0000-00000000000a",
          contact_id: "00000000-0000-0000-0000-0000000000c1",
        },
        {
          workspace_id: "00000000-0000-0000-0000-00000000000b",
          contact_id: "00000000-0000-0000-0000-0000000000c2",
        },
      ]);
      const winners = await client.query(
        "SELECT workspace_id::text, branch FROM scenario_split_winners",
      );
      expect(winners.rows).toEqual([
        { workspace_id: "00000000-0000-0000-0000-00000000000b", branch: "A" },
      ]);
      expect(
        await citusProblems(
          client,
          { ...placement, coordinator: ["worker_heartbeats"] },
          "upgrade",
        ),
      ).toEqual([]);
    } finally {
      await client.query("ROLLBACK");
    }
  });
});
