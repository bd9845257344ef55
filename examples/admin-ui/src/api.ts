/**
 * The GraphQL client of the admin UI: one `fetch` per operation, the secret key as a bearer
 * token, and Cartwheel's two kinds of failure kept apart:
 * - top-level `errors` (a wrong or revoked key comes back as code UNAUTHENTICATED, a key
 *   without the scope a query needs as FORBIDDEN, a malformed query as a validation error)
 *   throw an `ApiError`;
 * - expected failures of a mutation come back as data: a union member with a `__typename`
 *   (`InvalidInputError`, `NotFoundError`, `ConflictError`, `ForbiddenError`) that screens
 *   `switch` on.
 */
import type { Credentials } from "./session.ts";

export interface FieldProblem {
  path: string[];
  message: string;
}

/** The typed errors every Cartwheel mutation may return beside its success type. */
export type MutationError =
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | { __typename: "NotFoundError"; message: string; entity: string }
  | { __typename: "ConflictError"; message: string; path: string[] }
  | { __typename: "ForbiddenError"; message: string };

/** Selects every field of `MutationError`; spread it into a mutation's result selection. */
export const mutationErrorFields = `
  ... on InvalidInputError { problems { path message } }
  ... on NotFoundError { entity }
  ... on ConflictError { path }
  ... on Error { message }`;

/** A request that failed as a whole: network, HTTP, or top-level GraphQL errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** GraphQL error codes, e.g. ["FORBIDDEN"]. */
    readonly codes: string[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  get forbidden(): boolean {
    return this.codes.includes("FORBIDDEN");
  }
}

/** The GraphQL endpoint for what the user pasted: a base URL or the `/graphql` URL itself. */
export function graphqlEndpoint(apiUrl: string): string {
  const url = new URL(apiUrl.trim());
  if (!url.pathname.endsWith("/graphql")) {
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/graphql`;
  }
  return url.toString();
}

/**
 * Runs one operation and returns its `data`.
 *
 * @example const { tags } = await gql<{ tags: … }>(credentials, "{ tags { totalCount } }");
 */
export async function gql<TData>(
  credentials: Credentials,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(graphqlEndpoint(credentials.apiUrl), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${credentials.secretKey}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(`Could not reach ${credentials.apiUrl}. Is the API running?`);
  }
  let body: { data?: TData | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The API answered HTTP ${response.status} without JSON.`);
  }
  if (body.errors?.length) {
    const codes = body.errors.flatMap((error) =>
      error.extensions?.code ? [error.extensions.code] : [],
    );
    const message = body.errors.map((error) => error.message).join("; ");
    const code = ["UNAUTHENTICATED", "FORBIDDEN"].find((known) => codes.includes(known));
    throw new ApiError(code ? `${code}: ${message}` : message, codes);
  }
  if (!body.data) throw new ApiError(`The API answered HTTP ${response.status} without data.`);
  return body.data;
}

/** One line for a typed mutation error; `InvalidInputError` lists each bad field. */
export function describeMutationError(error: MutationError): string {
  switch (error.__typename) {
    case "ForbiddenError":
      return `FORBIDDEN: ${error.message}`;
    case "InvalidInputError":
      return [
        error.message,
        ...error.problems.map((problem) => `${problem.path.join(".")}: ${problem.message}`),
      ].join("\n");
    case "NotFoundError":
      return `Not found (${error.entity}): ${error.message}`;
    case "ConflictError":
      return `Conflict on ${error.path.join(".") || "the input"}: ${error.message}`;
    default:
      return unreachable(error);
  }
}

/** Errors thrown by `gql` or anything else, as a line to show. */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unreachable(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}
