import { createHash, timingSafeEqual } from "node:crypto";
import { verifyApiKey } from "../domain/workspaces/api-keys.ts";
import type { Principal } from "./context.ts";

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Reads `Authorization: Bearer <key>`: the root admin key, a live workspace key, or nobody. */
export async function resolvePrincipal(request: Request, adminKey: string): Promise<Principal> {
  const header = request.headers.get("authorization")?.trim() ?? "";
  if (header === "") return { kind: "anonymous", credential: "missing" };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return { kind: "anonymous", credential: "malformed" };
  const key = match[1];
  if (sameSecret(key, adminKey)) return { kind: "admin" };
  const grant = await verifyApiKey(key);
  return grant ? { kind: "key", ...grant } : { kind: "anonymous", credential: "unknown" };
}

/** The workspace a key acts for; resolvers guarded by the `workspace` scope may rely on it. */
export function workspaceOf(principal: Principal): string {
  if (principal.kind !== "key") throw new Error("this operation needs a workspace key");
  return principal.workspaceId;
}
