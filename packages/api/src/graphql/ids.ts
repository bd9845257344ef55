import { decodeGlobalID } from "@pothos/plugin-relay";
import { InvalidInputError } from "../domain/shared/errors.ts";

/**
 * Turns a global id (as `node(id)` takes) into the row id, checking it names the expected
 * type. A malformed id is bad input that names its field.
 */
export function decodeId(globalId: string, typename: string, path: string[]): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename) return decoded.id;
  } catch {}
  throw InvalidInputError.field(path, `is not a ${typename} id`);
}
