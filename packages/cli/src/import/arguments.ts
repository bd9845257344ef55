import { parseArgs } from "node:util";
import { type KindName, kindNames } from "./import-kind.ts";
import { type Format, formatOf, formats } from "./read-records.ts";

export const usage = `usage: npm run import -- <products|contacts|orders|spend> <file.csv|file.ndjson> [options]

  --url <url>         the Cartwheel API (default: CARTWHEEL_API_URL, else http://127.0.0.1:4000)
  --format <format>   csv or ndjson (default: from the file name)
  --rejects <file>    also write every rejected row to this CSV (line,id,field,message)
  --journal <file>    where committed batches are recorded (default: <file>.import-journal)
  --restart           ignore the journal of an interrupted run and start from the first row
  --retries <n>       retries of a failed call (network, 5xx, 429) before stopping (default 4)

The key comes from CARTWHEEL_API_KEY: a secret key with catalog:write (products),
contacts:write (contacts), orders:write (orders) or analytics:write (spend: channel,day,amount),
or a full-access one.
Exit status: 0 all rows imported, 1 some rows rejected, 2 bad usage or file, 3 stopped
(run the same command again to resume).`;

/** The command line was not one the import understands. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ImportArguments {
  kind: KindName;
  file: string;
  format: Format;
  url?: string;
  rejects?: string;
  journal?: string;
  restart: boolean;
  retries?: number;
}

/**
 * Reads `<kind> <file> [--url …] [--format …] [--rejects …] [--journal …] [--restart]`.
 *
 * @example parseImportArguments(["products", "products.csv", "--rejects", "bad.csv"])
 */
export function parseImportArguments(argv: string[]): ImportArguments {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [kind, file, ...extra] = positionals;
  if (!kind || !file) throw new UsageError("name what to import and the file");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!(kindNames as readonly string[]).includes(kind)) {
    throw new UsageError(`cannot import "${kind}": choose ${kindNames.join(", ")}`);
  }
  const format = values.format ?? formatOf(file);
  if (!format || !(formats as readonly string[]).includes(format)) {
    throw new UsageError(
      values.format
        ? `unknown format "${values.format}": choose csv or ndjson`
        : `cannot tell the format of "${file}" from its name: name it .csv or .ndjson, or give --format`,
    );
  }
  const retries = values.retries === undefined ? undefined : Number(values.retries);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new UsageError("--retries must be a whole number");
  }
  return {
    kind: kind as KindName,
    file,
    format: format as Format,
    restart: values.restart ?? false,
    ...(values.url !== undefined && { url: values.url }),
    ...(values.rejects !== undefined && { rejects: values.rejects }),
    ...(values.journal !== undefined && { journal: values.journal }),
    ...(retries !== undefined && { retries }),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string" },
      format: { type: "string" },
      rejects: { type: "string" },
      journal: { type: "string" },
      restart: { type: "boolean" },
      retries: { type: "string" },
    },
  });
}
