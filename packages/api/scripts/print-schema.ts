/** Prints the GraphQL schema to `schema.graphql`, committed so schema changes show in review. */
import { writeFileSync } from "node:fs";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "../src/graphql/schema.ts";

export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../schema.graphql", import.meta.url), printedSchema());
}
