import { GraphQLError } from "graphql";
import { InvalidInputError } from "../domain/shared/errors.ts";

/**
 * Bad arguments to a query field, which has no typed error union to return: a GraphQLError
 * with code BAD_USER_INPUT and the domain's `problems`, so it reaches the client unmasked.
 */
export class BadInputError extends GraphQLError {
  constructor(error: InvalidInputError) {
    super(error.message, { extensions: { code: "BAD_USER_INPUT", problems: error.problems } });
    this.name = "BadInputError";
  }
}

/**
 * Runs a query resolver, reporting the domain's `InvalidInputError` as a `BadInputError`.
 *
 * @example resolve: (_root, args) => withInputErrors(() => listTimeline(workspaceId, contactId, args))
 */
export async function withInputErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new BadInputError(error);
    throw error;
  }
}
