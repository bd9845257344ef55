/** The server the tests run against: DATABASE_URL, as `npm test` (or the user) sets it. */
export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Run the tests with `npm test` (it starts an embedded Postgres) or point DATABASE_URL at a Postgres server.",
    );
  }
  return url;
}

/** The same server, another database. */
export function databaseUrlFor(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}
