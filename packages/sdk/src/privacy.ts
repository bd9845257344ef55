/**
 * User agents treated as bots unless `botUserAgentPattern` says otherwise: crawlers, link
 * previewers, monitoring and headless browsers (HeadlessChrome is how most scrapers show up).
 * `navigator.webdriver` is deliberately not used: automated tests of real shops set it.
 */
export const DEFAULT_BOT_PATTERN =
  /bot\b|crawl|spider|slurp|headless|lighthouse|prerender|phantomjs|facebookexternalhit|preview|monitor|python-requests|curl\//i;

/** Whether `userAgent` matches `pattern` (null disables bot detection). */
export function isBot(userAgent: string, pattern: RegExp | null): boolean {
  return !!pattern && pattern.test(userAgent);
}

/**
 * Whether the browser sends Do Not Track or Global Privacy Control. (The older spellings,
 * `window.doNotTrack`, `msDoNotTrack` and "yes", belong to browsers that cannot run this
 * ES2020 bundle.)
 */
export function hasOptedOut(): boolean {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.globalPrivacyControl === true || nav.doNotTrack === "1";
}
