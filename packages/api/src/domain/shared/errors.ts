/** One problem with one input field; `path` leads to it, e.g. `["contacts", "3", "email"]`. */
export interface FieldProblem {
  path: string[];
  message: string;
}

/** The input was refused; nothing was changed. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(message);
  }

  static field(path: string[], message: string): InvalidInputError {
    return new InvalidInputError(`${path.join(".")}: ${message}`, [{ path, message }]);
  }
}

/** No such thing in the caller's workspace (it may exist in another; callers cannot tell). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(
    readonly entity: string,
    readonly reference: string,
  ) {
    super(`${entity} ${reference} was not found`);
  }
}

/** The change would break a uniqueness rule, e.g. an email already taken by another contact. */
export class ConflictError extends Error {
  override name = "ConflictError";
  constructor(
    message: string,
    readonly path: string[],
  ) {
    super(message);
  }
}
