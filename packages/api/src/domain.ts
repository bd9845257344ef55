export { db, disconnectDatabase, pool } from "./db.ts";
export * from "./domain/contacts/contact-input.ts";
export * from "./domain/contacts/import-contacts.ts";
export * from "./domain/contacts/list-contacts.ts";
export * from "./domain/contacts/upsert-contact.ts";
export * from "./domain/shared/errors.ts";
export * from "./domain/tags/tags.ts";
export * from "./domain/workspaces/api-keys.ts";
export * from "./domain/workspaces/workspaces.ts";
