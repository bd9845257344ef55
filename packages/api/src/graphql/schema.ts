import { builder } from "./builder.ts";
import "./errors.ts";
import "./workspaces.ts";
import "./tags.ts";
import "./contacts.ts";

/** The whole GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: true });
