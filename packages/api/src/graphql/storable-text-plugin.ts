import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from "@pothos/core";
import type { GraphQLFieldResolver } from "graphql";
import { InvalidInputError } from "../domain/shared/errors.ts";
import { findUnstorableText } from "../domain/shared/storable-text.ts";
import { BadInputError } from "./bad-input-error.ts";

const pluginName = "storableText";

/**
 * Refuses arguments holding text Postgres cannot store (a NUL byte, an unpaired surrogate) before
 * any resolver sees them, naming the field: as the `InvalidInputError` of a mutation's result
 * union, or a `BadInputError` for a field without one. Without it such text reaches a query and
 * comes back as a masked internal error. Listed after the scope-auth plugin, so a key without the
 * scope still hears ForbiddenError first.
 */
export class StorableTextPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    const typedErrors = !!(fieldConfig.pothosOptions as { errors?: unknown }).errors;
    return (parent, args, context, info) => {
      const problem = findUnstorableText(args);
      if (problem) {
        const error = new InvalidInputError(`${problem.path.join(".")}: ${problem.message}`, [
          problem,
        ]);
        throw typedErrors ? error : new BadInputError(error);
      }
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, StorableTextPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      storableText: StorableTextPlugin<Types>;
    }
  }
}

export default pluginName;
