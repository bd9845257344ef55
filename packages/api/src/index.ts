export { type AppOptions, type CartwheelApp, makeApp } from "./app.ts";
export { schema } from "./graphql/schema.ts";
