import { LRUCache } from "lru-cache";
import { pool } from "../../db.ts";

/** What a send renders of a template version; versions are never changed once written. */
export interface SendableTemplateVersion {
  id: string;
  name: string;
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  fromName: string | null;
  fromEmail: string | null;
}

export interface TemplateVersionCache {
  /** The version of the workspace, from the cache or read once; null when there is none. */
  load(workspaceId: string, versionId: string): Promise<SendableTemplateVersion | null>;
  /** Versions held now; never more than `max`. */
  readonly size: number;
}

/**
 * A bounded LRU of template versions for sending, keyed by workspace and version id. It never
 * goes stale: a version is immutable, and publishing a template writes a new version with a new
 * id, which the next queued message references. It does not know about deletions: the caller
 * checks that the message still references the version before it asks.
 *
 * @example const versions = makeTemplateVersionCache({ max: 500 }); await versions.load(workspaceId, versionId)
 */
export function makeTemplateVersionCache(options: { max: number }): TemplateVersionCache {
  const versions = new LRUCache<string, SendableTemplateVersion>({ max: options.max });
  return {
    async load(workspaceId, versionId) {
      const key = `${workspaceId}:${versionId}`;
      const cached = versions.get(key);
      if (cached) return cached;
      const { rows } = await pool().query<SendableTemplateVersion>({
        name: "cw_load_sendable_template_version",
        text: `SELECT id, name, subject, preheader, html, text, from_name AS "fromName", from_email AS "fromEmail"
                 FROM template_versions WHERE id = $1 AND workspace_id = $2`,
        values: [versionId, workspaceId],
      });
      const version = rows[0];
      if (!version) return null;
      versions.set(key, version);
      return version;
    },
    get size() {
      return versions.size;
    },
  };
}

let processCache: TemplateVersionCache | undefined;

/** The process's cache of the send path: the 500 versions used last. */
export function sendingTemplateVersions(): TemplateVersionCache {
  processCache ??= makeTemplateVersionCache({ max: 500 });
  return processCache;
}
