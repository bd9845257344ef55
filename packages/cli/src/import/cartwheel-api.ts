import type { ImportKind } from "./import-kind.ts";

/** The import cannot go on (refused key, unreachable API, server errors): the journal is kept. */
export class ImportStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportStoppedError";
  }
}

/** The API does not know the key (or it is not a secret key). Nothing was sent. */
export class KeyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRefusedError";
  }
}

/** What the API did with one batch. */
export type BatchOutcome =
  | { type: "written"; created: number; updated: number }
  /** Nothing was written; these problems name rows (`[rowsField, index, …path]`). */
  | { type: "rows refused"; message: string; problems: { path: string[]; message: string }[] }
  /** Nothing was written, for a reason in the data that names no row (e.g. a bad DateTime). */
  | { type: "batch refused"; message: string };

export interface CartwheelApiOptions {
  /** The API's base URL, e.g. `https://cartwheel.example.com` (a trailing `/graphql` is fine). */
  url: string;
  /** A secret key of the workspace to import into. */
  key: string;
  /** Retries of network errors, 5xx and 429 after the first try. Default 4. */
  retries?: number;
  /** The first retry's wait; doubles each time. Default 500 ms. */
  retryDelayMs?: number;
  /** Default: a timer. Tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (reason: string, attempt: number) => void;
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** graphql-js's words for a variable value its type refuses (the request runs no resolver). */
const badVariablePrefix = 'Variable "$rows" got invalid value';
const badVariableAt = /at "rows\[(\d+)\]((?:\.\w+|\[\d+\])*)"; (.*)$/s;

/**
 * GraphQL's own refusals of `$rows` as row problems (`rows[3].price` → `[rowsField, "3",
 * "price"]`), or null when some error is not one that names a row.
 */
function variableProblems(errors: { message: string }[], rowsField: string) {
  const problems: { path: string[]; message: string }[] = [];
  for (const error of errors) {
    const match = error.message.startsWith(badVariablePrefix) && badVariableAt.exec(error.message);
    if (!match) return null;
    const [, index = "", path = "", message = ""] = match;
    problems.push({
      path: [rowsField, index, ...path.split(/[.[\]]+/).filter((part) => part !== "")],
      message,
    });
  }
  return problems;
}

/**
 * A client for what the import calls: `workspace` (to check the key) and each kind's batch
 * mutation. Network errors, 5xx and 429 are retried with back-off; everything it sends is an
 * idempotent upsert, so a retry after a lost answer writes nothing twice.
 *
 * @example const api = makeCartwheelApi({ url: "http://127.0.0.1:4000", key }); await api.workspace();
 */
export function makeCartwheelApi(options: CartwheelApiOptions) {
  const endpoint = `${options.url.replace(/\/+$/, "").replace(/\/graphql$/, "")}/graphql`;
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function post(query: string, variables: Record<string, unknown>): Promise<GraphQLBody> {
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let waitMs = retryDelayMs * 2 ** attempt;
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${options.key}`,
          },
          body: JSON.stringify({ query, variables }),
        });
        if (response.status < 500 && response.status !== 429) {
          const text = await response.text();
          try {
            return JSON.parse(text) as GraphQLBody;
          } catch {
            throw new ImportStoppedError(
              `${endpoint} answered HTTP ${response.status} with something that is not GraphQL: ${text.slice(0, 200)}`,
            );
          }
        }
        reason = `HTTP ${response.status}`;
        const retryAfter = Number(response.headers.get("retry-after"));
        if (retryAfter > 0) waitMs = retryAfter * 1000;
        await response.body?.cancel();
      } catch (error) {
        if (error instanceof ImportStoppedError) throw error;
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        reason = `${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ""}`;
      }
      if (attempt >= retries) {
        throw new ImportStoppedError(
          `${endpoint}: ${reason} (gave up after ${attempt + 1} ${attempt === 0 ? "try" : "tries"})`,
        );
      }
      options.onRetry?.(reason, attempt + 1);
      await sleep(waitMs);
    }
  }

  return {
    endpoint,

    /** The key's workspace; throws KeyRefusedError when the API does not take the key. */
    async workspace(): Promise<{ id: string; name: string }> {
      const body = await post("query ImportWorkspace { workspace { id name } }", {});
      const workspace = body.data?.workspace as { id: string; name: string } | undefined;
      if (workspace) return workspace;
      const codes = new Set(body.errors?.map((error) => error.extensions?.code));
      if (codes.has("UNAUTHENTICATED")) {
        throw new KeyRefusedError(
          `${endpoint} refused the key in CARTWHEEL_API_KEY: it is unknown or revoked`,
        );
      }
      if (codes.has("FORBIDDEN")) {
        throw new KeyRefusedError(
          `${endpoint} refused the key in CARTWHEEL_API_KEY: it is not a secret key of a workspace`,
        );
      }
      throw new ImportStoppedError(
        `${endpoint}: ${body.errors?.map((error) => error.message).join("; ") ?? "no answer"}`,
      );
    },

    /** Sends one batch of `kind`'s inputs. */
    async send(kind: ImportKind, rows: Record<string, unknown>[]): Promise<BatchOutcome> {
      const body = await post(kind.mutation, { rows });
      const result = body.data?.[kind.mutationName] as
        | {
            __typename: string;
            message?: string;
            result?: { createdCount: number; updatedCount: number };
            problems?: { path: string[]; message: string }[];
          }
        | undefined;
      if (!result) {
        const errors = body.errors ?? [];
        const message = errors.map((error) => error.message).join("; ") || "no data";
        if (errors.some((error) => error.extensions?.code === "FORBIDDEN")) {
          throw new ImportStoppedError(forbiddenMessage(kind));
        }
        const problems = errors.length > 0 ? variableProblems(errors, kind.rowsField) : null;
        if (problems) return { type: "rows refused", message, problems };
        if (errors.length > 0 && errors.every((e) => e.message.startsWith(badVariablePrefix))) {
          return { type: "batch refused", message };
        }
        throw new ImportStoppedError(`${endpoint}: ${message}`);
      }
      switch (result.__typename) {
        case "InvalidInputError":
          return {
            type: "rows refused",
            message: result.message ?? "invalid input",
            problems: result.problems ?? [],
          };
        case "ForbiddenError":
          throw new ImportStoppedError(forbiddenMessage(kind));
        case "NotFoundError":
        case "ConflictError":
          return { type: "batch refused", message: result.message ?? result.__typename };
        default:
          if (!result.result) throw new ImportStoppedError(`${endpoint}: ${result.__typename}`);
          return {
            type: "written",
            created: result.result.createdCount,
            updated: result.result.updatedCount,
          };
      }
    },
  };
}

export type CartwheelApi = ReturnType<typeof makeCartwheelApi>;

function forbiddenMessage(kind: ImportKind) {
  return `the key may not import ${kind.name}: ${kind.mutationName} needs a secret key with the ${kind.scope} scope (or a full-access one)`;
}
