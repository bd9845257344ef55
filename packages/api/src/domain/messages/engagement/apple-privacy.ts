import { BlockList, isIPv4 } from "node:net";

const appleNetworks = new BlockList();
// Apple's own /8: Mail Privacy Protection fetches remote content through Apple's proxies here.
appleNetworks.addSubnet("17.0.0.0", 8, "ipv4");

/**
 * Whether an open looks like Apple Mail Privacy Protection pre-fetching the pixel rather than
 * a person reading the mail. Two signs, either is enough:
 * - the user agent is exactly `Mozilla/5.0` (MPP's fetcher sends nothing else; real clients,
 *   Apple Mail included, add platform and engine tokens);
 * - the request comes from Apple's 17.0.0.0/8 network.
 * It is a heuristic: MPP opens that reach us through other proxies are counted as human.
 *
 * @example isApplePrivacyPrefetch({ userAgent: "Mozilla/5.0", ip: "17.58.0.1" }) // true
 */
export function isApplePrivacyPrefetch(request: {
  userAgent?: string | null;
  ip?: string | null;
}): boolean {
  if (request.userAgent?.trim() === "Mozilla/5.0") return true;
  const ip = request.ip?.replace(/^::ffff:/, "") ?? "";
  return isIPv4(ip) && appleNetworks.check(ip, "ipv4");
}
