import SchemaBuilder, {
  BasePlugin,
  type FieldNullability,
  type InputFieldMap,
  type PothosOutputFieldConfig,
  type SchemaTypes,
  type TypeParam,
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
    const options = fieldConfig.pothosOptions as { errors?: unknown; checksOwnText?: boolean };
    if (Object.keys(fieldConfig.args).length === 0 || options.checksOwnText) return resolver;
    const typedErrors = !!options.errors;
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
    export interface FieldOptions<
      Types extends SchemaTypes = SchemaTypes,
      ParentShape = unknown,
      Type extends TypeParam<Types> = TypeParam<Types>,
      Nullable extends FieldNullability<Type> = FieldNullability<Type>,
      Args extends InputFieldMap = InputFieldMap,
      ResolveShape = unknown,
      ResolveReturnShape = unknown,
    > {
      /**
       * The resolver refuses unstorable text itself, item by item (a batch whose bad items are
       * rejected one by one); the plugin leaves its arguments alone.
       */
      checksOwnText?: boolean;
    }
  }
}

export default pluginName;
