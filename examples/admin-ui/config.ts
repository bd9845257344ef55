/** Settings of the admin UI server, read from the environment. */
export interface AdminUiConfig {
  port: number;
  host: string;
}

/**
 * Reads `ADMIN_UI_PORT` (default 3001) and `ADMIN_UI_HOST` (default 127.0.0.1), failing with
 * the variable's name when one is invalid.
 */
export function readAdminUiConfig(env: NodeJS.ProcessEnv = process.env): AdminUiConfig {
  const port = Number(env.ADMIN_UI_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`ADMIN_UI_PORT must be a port number, got "${env.ADMIN_UI_PORT}"`);
  }
  return { port, host: env.ADMIN_UI_HOST || "127.0.0.1" };
}
