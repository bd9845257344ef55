import { parseArgs } from "node:util";

/** What the sync script needs, from the environment and its command line. */
export interface SyncConfig {
  apiUrl: string;
  secretKey: string;
  /** A `.json` or `.csv` customers export; default: the bundled sample. */
  customersPath?: string;
  /** A `.json` orders export; default: the bundled sample (dated relative to now). */
  ordersPath?: string;
  /** Stop at the first refused batch instead of skipping refused rows. */
  strict: boolean;
}

/**
 * Reads `CARTWHEEL_API_URL` (default http://127.0.0.1:4000), `CARTWHEEL_SECRET_KEY` (required)
 * and the flags `--customers <file>`, `--orders <file>`, `--strict`, failing with the name of
 * whatever is missing or invalid.
 */
export function readSyncConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): SyncConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      customers: { type: "string" },
      orders: { type: "string" },
      strict: { type: "boolean", default: false },
    },
  });
  const apiUrl = env.CARTWHEEL_API_URL || "http://127.0.0.1:4000";
  if (!URL.canParse(apiUrl)) throw new Error(`CARTWHEEL_API_URL must be a URL, got "${apiUrl}"`);
  const secretKey = env.CARTWHEEL_SECRET_KEY;
  if (!secretKey) {
    throw new Error("CARTWHEEL_SECRET_KEY is not set: create a SECRET key with createApiKey");
  }
  return {
    apiUrl,
    secretKey,
    customersPath: values.customers,
    ordersPath: values.orders,
    strict: values.strict ?? false,
  };
}
