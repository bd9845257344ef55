import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "../../db.ts";
import type { ApiKey } from "../../generated/prisma/client.ts";
import { InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { makeTtlCache } from "../shared/ttl-cache.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

/** Everything a scoped secret key may be granted. A secret key with no scopes has them all. */
export const apiScopes = [
  "contacts:read",
  "contacts:write",
  "events:read",
  "events:write",
  "keys:write",
  "templates:read",
  "templates:write",
  "messages:read",
  "messages:write",
  "scenarios:read",
  "scenarios:write",
  "scoring:write",
  "segments:write",
  "catalog:read",
  "catalog:write",
  "orders:read",
  "orders:write",
  "recommendations:read",
  "analytics:read",
  "analytics:write",
] as const;
export type ApiScope = (typeof apiScopes)[number];

export const ApiKeyKinds = { SECRET: "SECRET", PUBLIC: "PUBLIC" } as const;
export type ApiKeyKindName = keyof typeof ApiKeyKinds;

const keyPrefixes = { SECRET: "cw_sk_", PUBLIC: "cw_pk_" } as const;

export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext).digest("hex");
}

/** What a verified key may do. */
export interface KeyGrant {
  keyId: string;
  workspaceId: string;
  keyKind: ApiKeyKindName;
  /** `"all"` for a full-access secret key. */
  scopes: "all" | ReadonlySet<ApiScope>;
}

/**
 * A key that may write something may read it back, so a mutation never commits and then
 * refuses to show its own result. Events are the exception: a write-only ingestion key stays
 * blind to the history it feeds.
 */
const readImpliedBy: Partial<Record<ApiScope, ApiScope>> = {
  "contacts:read": "contacts:write",
  "templates:read": "templates:write",
  "messages:read": "messages:write",
  "scenarios:read": "scenarios:write",
  "catalog:read": "catalog:write",
  "orders:read": "orders:write",
  "analytics:read": "analytics:write",
};

export function grantAllows(grant: KeyGrant, scope: ApiScope): boolean {
  if (grant.keyKind === "PUBLIC") return scope === "events:write";
  if (grant.scopes === "all" || grant.scopes.has(scope)) return true;
  const write = readImpliedBy[scope];
  return write !== undefined && grant.scopes.has(write);
}

const createApiKeyInput = z.object({
  workspaceId: z.string().refine(isUuid, "is not a workspace id"),
  name: z.string().trim().min(1, "must not be empty").max(100),
  kind: z.enum(["SECRET", "PUBLIC"]),
  scopes: z.array(z.enum(apiScopes)).max(apiScopes.length).default([]),
});

/**
 * Creates a key. The plaintext is returned once and never stored: only its SHA-256 is.
 * Public keys carry no scopes; they can only ingest events.
 */
export async function createApiKey(
  input: z.input<typeof createApiKeyInput>,
): Promise<{ apiKey: ApiKey; plaintext: string }> {
  const { workspaceId, name, kind, scopes } = parseInput(createApiKeyInput, input);
  if (kind === "PUBLIC" && scopes.length > 0) {
    throw InvalidInputError.field(["scopes"], "public keys cannot hold scopes");
  }
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId } });
  if (!workspace) throw new NotFoundError("Workspace", workspaceId);
  const plaintext = `${keyPrefixes[kind]}${randomBytes(24).toString("base64url")}`;
  const apiKey = await db().apiKey.create({
    data: {
      workspaceId,
      name,
      kind,
      scopes: [...new Set(scopes)],
      prefix: plaintext.slice(0, 12),
      hash: hashApiKey(plaintext),
    },
  });
  return { apiKey, plaintext };
}

/**
 * Revokes a key of `workspaceId`; it stops working at once in this process and within
 * `apiKeyTrustMs` in every other. Revoking twice is harmless.
 */
export async function revokeApiKey(workspaceId: string, keyId: string): Promise<ApiKey> {
  if (!isUuid(keyId)) throw new NotFoundError("ApiKey", keyId);
  const key = await db().apiKey.findFirst({ where: { id: keyId, workspaceId } });
  if (!key) throw new NotFoundError("ApiKey", keyId);
  if (key.revokedAt) return key;
  const revoked = await db().apiKey.update({
    where: { id: key.id },
    data: { revokedAt: new Date() },
  });
  processVerifier.forget(key.id);
  return revoked;
}

/** The workspace a key belongs to, for the root admin who acts across workspaces. */
export async function workspaceOfApiKey(keyId: string): Promise<string> {
  const key = isUuid(keyId) ? await db().apiKey.findUnique({ where: { id: keyId } }) : null;
  if (!key) throw new NotFoundError("ApiKey", keyId);
  return key.workspaceId;
}

const lastUsedResolutionMs = 60_000;

/**
 * How long a process trusts a key it has verified, in ms: a key revoked by another API process
 * stops working here at most this long after the revocation commits; in the process that
 * revoked it, at once.
 */
export const apiKeyTrustMs = 5_000;

/** Verifies keys, remembering live ones for `trustMs` (see `makeApiKeyVerifier`). */
export interface ApiKeyVerifier {
  /** The live key behind `plaintext`, or null for an unknown or revoked one. */
  verify(plaintext: string): Promise<KeyGrant | null>;
  /** Forgets a key at once (it was revoked here). */
  forget(keyId: string): void;
}

/**
 * Makes a key verifier that asks the database once per key and `trustMs` (default
 * `apiKeyTrustMs`), so a burst of batches costs one look-up, not one each. Unknown and revoked
 * keys are never remembered: they are asked about every time.
 *
 * @example const verifier = makeApiKeyVerifier({ now: () => clock.now })
 */
export function makeApiKeyVerifier(
  options: { trustMs?: number; now?: () => number } = {},
): ApiKeyVerifier {
  const now = options.now ?? Date.now;
  const trusted = makeTtlCache<string, KeyGrant>({ ttlMs: options.trustMs ?? apiKeyTrustMs, now });
  return {
    async verify(plaintext) {
      if (!plaintext.startsWith("cw_")) return null;
      const hash = hashApiKey(plaintext);
      const known = trusted.get(hash);
      if (known) return known;
      const key = await db().apiKey.findUnique({ where: { hash } });
      if (!key || key.revokedAt) return null;
      const at = now();
      if (!key.lastUsedAt || at - key.lastUsedAt.getTime() > lastUsedResolutionMs) {
        await db().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(at) } });
      }
      const grant: KeyGrant = {
        keyId: key.id,
        workspaceId: key.workspaceId,
        keyKind: key.kind,
        scopes: key.scopes.length === 0 ? "all" : new Set(key.scopes as ApiScope[]),
      };
      trusted.set(hash, grant);
      return grant;
    },
    forget(keyId) {
      trusted.deleteWhere((grant) => grant.keyId === keyId);
    },
  };
}

const processVerifier = makeApiKeyVerifier();

/**
 * Finds the live key behind `plaintext`, or null for an unknown or revoked one. Trusts a key
 * it verified for `apiKeyTrustMs`.
 */
export function verifyApiKey(plaintext: string): Promise<KeyGrant | null> {
  return processVerifier.verify(plaintext);
}
