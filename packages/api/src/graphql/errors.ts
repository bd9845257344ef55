import {
  ConflictError,
  type FieldProblem,
  InvalidInputError,
  NotFoundError,
} from "../domain/shared/errors.ts";
import { builder } from "./builder.ts";
import { ForbiddenError } from "./forbidden-error.ts";

/** Every expected failure a mutation can return implements this. */
export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldProblemRef = builder.objectRef<FieldProblem>("FieldProblem").implement({
  description: 'One bad input field. `path` leads to it, e.g. `["contacts", "3", "email"]`.',
  fields: (t) => ({
    path: t.exposeStringList("path"),
    message: t.exposeString("message"),
  }),
});

builder.objectType(InvalidInputError, {
  name: "InvalidInputError",
  description: "The input was refused and nothing was changed; `problems` names each bad field.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    problems: t.field({ type: [FieldProblemRef], resolve: (error) => error.problems }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "Nothing with this id exists in the caller's workspace.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString("entity") }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description:
    "The change would break a uniqueness rule, such as an email taken by another contact.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeStringList("path") }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "The key lacks the scope this operation needs.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

/** The errors every workspace mutation can return. */
export const mutationErrors = [InvalidInputError, NotFoundError, ConflictError, ForbiddenError];
