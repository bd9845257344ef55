import { GraphQLError } from "graphql";

/** Why a request carries no usable key. */
export type MissingCredential = "missing" | "malformed" | "unknown";

const messages: Record<MissingCredential, string> = {
  missing: "No API key: send one as `Authorization: Bearer <key>`.",
  malformed: "The Authorization header is not `Bearer <key>`.",
  unknown: "This API key is unknown or has been revoked.",
};

/**
 * The request has no valid key, as opposed to a valid key without the scope (`ForbiddenError`).
 * A GraphQLError with code UNAUTHENTICATED and HTTP status 401, so clients can tell "fix the
 * key" from "ask for a wider grant".
 */
export class UnauthenticatedError extends GraphQLError {
  constructor(readonly credential: MissingCredential) {
    super(messages[credential], {
      extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
    });
    this.name = "UnauthenticatedError";
  }
}
