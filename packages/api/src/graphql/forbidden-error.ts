import { GraphQLError } from "graphql";

/**
 * The key lacks what an operation needs. A GraphQLError, so that outside mutations (which
 * return it as a typed error) it still reaches the client unmasked, with code FORBIDDEN.
 */
export class ForbiddenError extends GraphQLError {
  constructor(message = "This key is not allowed to do that.") {
    super(message, { extensions: { code: "FORBIDDEN" } });
    this.name = "ForbiddenError";
  }
}
