/** Settings of the example storefront, read from the environment. */
export interface StorefrontConfig {
  port: number;
  apiUrl: string;
  writeKey: string;
  /** Optional: turns on the "Frequently bought together" block. */
  secretKey?: string;
}

/**
 * Reads `STOREFRONT_PORT` (default 3000), `CARTWHEEL_API_URL` (default http://127.0.0.1:4000)
 * and `CARTWHEEL_WRITE_KEY` (default `pk_demo`), and the optional `CARTWHEEL_SECRET_KEY`, failing
 * with the variable's name when one is invalid.
 */
export function readStorefrontConfig(env: NodeJS.ProcessEnv = process.env): StorefrontConfig {
  const port = Number(env.STOREFRONT_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`STOREFRONT_PORT must be a port number, got "${env.STOREFRONT_PORT}"`);
  }
  const apiUrl = env.CARTWHEEL_API_URL ?? "http://127.0.0.1:4000";
  if (!URL.canParse(apiUrl)) {
    throw new Error(`CARTWHEEL_API_URL must be a URL, got "${apiUrl}"`);
  }
  return {
    port,
    apiUrl,
    writeKey: env.CARTWHEEL_WRITE_KEY || "pk_demo",
    ...(env.CARTWHEEL_SECRET_KEY && { secretKey: env.CARTWHEEL_SECRET_KEY }),
  };
}
