import type { LaunchOptions } from "playwright-core";

/**
 * How tests start Chromium: the system's own (Debian's `/usr/bin/chromium`, or
 * CHROMIUM_PATH), headless, with background networking off so a closed network stays quiet.
 *
 * @example const browser = await chromium.launch(chromiumLaunchOptions())
 */
export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}
