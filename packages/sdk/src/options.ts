import type { DeliverySettings } from "./delivery";
import type { ExitIntentOptions } from "./exit-intent";
import { DEFAULT_BOT_PATTERN } from "./privacy";

/** Whether the shopper has agreed to tracking. */
export type ConsentState = "granted" | "pending" | "denied";

/** Options of `init`. Only `writeKey` and `apiUrl` are required. */
export interface CartwheelOptions {
  /** The shop's public write key. */
  writeKey: string;
  /** Base URL of the Cartwheel API, e.g. `https://cartwheel.example.com`. */
  apiUrl: string;
  /**
   * Default "granted". "pending" keeps events and ids in memory only, unsent, until
   * `grantConsent()`; "denied" tracks nothing.
   */
  consent?: ConsentState;
  /** Track nothing when the browser sends Do Not Track or Global Privacy Control. Default false. */
  respectDoNotTrack?: boolean;
  /** User agents not to track. Default `DEFAULT_BOT_PATTERN`; `null` tracks every agent. */
  botUserAgentPattern?: RegExp | null;
  /** Send `page()` on load and on single-page-app navigation. Default true. */
  trackPages?: boolean;
  /** Exit-intent detection; `false` turns it off. Default on, 5 s quiet period. */
  exitIntent?: boolean | ExitIntentOptions;
  /** Send as soon as this many events wait. Default 20. */
  flushAt?: number;
  /** Otherwise send this long after an event is queued. Default 2000 ms. */
  flushIntervalMs?: number;
  /** First retry delay after a failure, doubled each time (with jitter). Default 1000 ms. */
  retryBaseDelayMs?: number;
  /** Longest retry delay. Default 60 000 ms. */
  retryMaxDelayMs?: number;
  /** Most events kept unsent; past it the oldest are dropped and counted. Default 500. */
  maxQueueSize?: number;
}

/** Options with every default applied. */
export interface ResolvedOptions extends DeliverySettings {
  consent: ConsentState;
  respectDoNotTrack: boolean;
  botUserAgentPattern: RegExp | null;
  trackPages: boolean;
  exitIntent: ExitIntentOptions | false;
  maxQueueSize: number;
}

const DEFAULTS = {
  consent: "granted" as ConsentState,
  respectDoNotTrack: false,
  trackPages: true,
  flushAt: 20,
  flushIntervalMs: 2000,
  retryBaseDelayMs: 1000,
  retryMaxDelayMs: 60_000,
  maxQueueSize: 500,
};

/** Applies the defaults documented on `CartwheelOptions`. */
export function resolveOptions(options: CartwheelOptions): ResolvedOptions {
  if (!options?.writeKey || !options.apiUrl) throw new Error("init needs writeKey and apiUrl");
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(DEFAULTS))
    resolved[name] = options[name as keyof typeof DEFAULTS] ?? value;
  const { exitIntent, botUserAgentPattern } = options;
  return {
    ...(resolved as typeof DEFAULTS),
    endpoint: `${String(options.apiUrl).replace(/\/+$/, "")}/v1/batch`,
    writeKey: options.writeKey,
    botUserAgentPattern:
      botUserAgentPattern === undefined ? DEFAULT_BOT_PATTERN : botUserAgentPattern,
    exitIntent: exitIntent === false ? false : exitIntent === true || !exitIntent ? {} : exitIntent,
  };
}
