import type pg from "pg";

export interface TablePlacement {
  /** Tables replicated to every node (Citus reference tables). */
  reference: readonly string[];
  /** Tables kept on the coordinator alone. */
  coordinator: readonly string[];
}

interface Relation {
  name: string;
  workspace: number | null;
  workspaceNullable: boolean;
}

interface UniqueIndex {
  table: string;
  name: string;
  keys: number[];
  primary: boolean;
}

interface ForeignKey {
  table: string;
  name: string;
  referenced: string;
  keys: number[];
  referencedKeys: number[];
  onDelete: string;
  onUpdate: string;
}

const distributionColumn = "workspace_id";

/**
 * What keeps the tables of `schema` from being distributed by `workspace_id` on Citus, read
 * from the catalog of the database `client` is connected to: one line per problem, naming the
 * table and the constraint or index. Empty when every table not in `placement` has a non-null
 * `workspace_id` that leads nothing astray: in its primary key, in every unique index, and at
 * the same place on both sides of every foreign key to another distributed table, with no
 * delete or update action that would change it (Citus refuses SET NULL, SET DEFAULT and ON
 * UPDATE CASCADE there). Reference and coordinator tables may not point at distributed ones.
 */
export async function citusProblems(
  client: pg.ClientBase,
  placement: TablePlacement,
  schema = "public",
): Promise<string[]> {
  const relations = await readRelations(client, schema);
  const byName = new Map(relations.map((relation) => [relation.name, relation]));
  const reference = new Set(placement.reference);
  const coordinator = new Set(placement.coordinator);
  const distributed = (table: string) => !reference.has(table) && !coordinator.has(table);
  const problems: string[] = [];

  for (const table of [...reference, ...coordinator]) {
    if (!byName.has(table)) problems.push(`${table}: listed as not distributed, but no such table`);
  }
  for (const relation of relations) {
    if (!distributed(relation.name)) continue;
    if (relation.workspace === null) {
      problems.push(`${relation.name}: has no ${distributionColumn} column`);
    } else if (relation.workspaceNullable) {
      problems.push(`${relation.name}: ${distributionColumn} is nullable`);
    }
  }

  const indexes = await readUniqueIndexes(client, schema);
  for (const table of relations.filter((relation) => distributed(relation.name))) {
    if (!indexes.some((index) => index.table === table.name && index.primary)) {
      problems.push(`${table.name}: has no primary key`);
    }
  }
  for (const index of indexes) {
    const table = byName.get(index.table);
    if (!table || !distributed(table.name) || table.workspace === null) continue;
    if (!index.keys.includes(table.workspace)) {
      const kind = index.primary ? "primary key" : "unique index";
      problems.push(`${index.table}: ${kind} ${index.name} does not include ${distributionColumn}`);
    }
  }

  for (const key of await readForeignKeys(client, schema)) {
    const from = byName.get(key.table);
    const to = byName.get(key.referenced);
    if (!from || !to) continue;
    if (!distributed(key.table)) {
      if (distributed(key.referenced)) {
        problems.push(
          `${key.table}: foreign key ${key.name} points from a non-distributed table at distributed ${key.referenced}`,
        );
      }
      continue;
    }
    if (coordinator.has(key.referenced)) {
      problems.push(
        `${key.table}: foreign key ${key.name} points at coordinator table ${key.referenced}`,
      );
      continue;
    }
    const position = from.workspace === null ? -1 : key.keys.indexOf(from.workspace);
    if (distributed(key.referenced)) {
      const referencedPosition =
        to.workspace === null ? -1 : key.referencedKeys.indexOf(to.workspace);
      if (position === -1 || position !== referencedPosition) {
        problems.push(
          `${key.table}: foreign key ${key.name} to ${key.referenced} does not pair ${distributionColumn} with ${distributionColumn}`,
        );
      }
    }
    if (position !== -1 && ["n", "d"].includes(key.onDelete)) {
      problems.push(
        `${key.table}: foreign key ${key.name} sets columns on delete (SET NULL/DEFAULT)`,
      );
    }
    if (position !== -1 && ["n", "d", "c"].includes(key.onUpdate)) {
      problems.push(
        `${key.table}: foreign key ${key.name} acts on update (CASCADE/SET NULL/DEFAULT)`,
      );
    }
  }
  return problems;
}

async function readRelations(client: pg.ClientBase, schema: string): Promise<Relation[]> {
  const { rows } = await client.query<{
    name: string;
    workspace: number | null;
    not_null: boolean | null;
  }>(
    `SELECT c.relname AS name, a.attnum AS workspace, a.attnotnull AS not_null
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
    [schema, distributionColumn],
  );
  return rows.map((row) => ({
    name: row.name,
    workspace: row.workspace,
    workspaceNullable: row.workspace !== null && !row.not_null,
  }));
}

async function readUniqueIndexes(client: pg.ClientBase, schema: string): Promise<UniqueIndex[]> {
  const { rows } = await client.query<UniqueIndex>(
    `SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary,
            string_to_array(x.indkey::text, ' ')::int[] AS keys
       FROM pg_index x
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND x.indisunique AND NOT t.relispartition
      ORDER BY t.relname, i.relname`,
    [schema],
  );
  return rows;
}

async function readForeignKeys(client: pg.ClientBase, schema: string): Promise<ForeignKey[]> {
  const { rows } = await client.query<{
    table: string;
    name: string;
    referenced: string;
    keys: number[];
    referenced_keys: number[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname AS table, k.conname AS name, r.relname AS referenced,
            k.conkey::int[] AS keys, k.confkey::int[] AS referenced_keys,
            k.confdeltype::text AS on_delete, k.confupdtype::text AS on_update
       FROM pg_constraint k
       JOIN pg_class t ON t.oid = k.conrelid
       JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND k.contype = 'f' AND NOT t.relispartition
      ORDER BY t.relname, k.conname`,
    [schema],
  );
  return rows.map((row) => ({
    table: row.table,
    name: row.name,
    referenced: row.referenced,
    keys: row.keys,
    referencedKeys: row.referenced_keys,
    onDelete: row.on_delete,
    onUpdate: row.on_update,
  }));
}
