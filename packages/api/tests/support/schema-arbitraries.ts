import fc from "fast-check";
import {
  type GraphQLArgument,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";

/**
 * How hostile one generated case is. `plain` keeps to plausible values, `hostile` mixes in
 * unicode (lone surrogates, NUL bytes, bidi marks), nulls and odd ids, `huge` long strings, long
 * lists and deep nesting, `mistyped` values of the wrong type and missing required fields.
 */
export const fuzzProfiles = ["plain", "hostile", "huge", "mistyped"] as const;
export type FuzzProfile = (typeof fuzzProfiles)[number];

/**
 * An id to fill in when the case is sent, so generated cases stay data and the pool can grow:
 * the caller's own rows, another workspace's rows, or ids forged from them (another type's
 * name, a non-uuid, garbage).
 */
export interface IdToken {
  readonly $id: "own" | "foreign" | "retyped" | "forged";
  readonly pick: number;
}

export const isIdToken = (value: unknown): value is IdToken =>
  typeof value === "object" && value !== null && "$id" in value && "pick" in value;

const maxDepth: Record<FuzzProfile, number> = { plain: 3, hostile: 5, huge: 24, mistyped: 4 };

const plausibleStrings = [
  "a",
  "Spring sale",
  "ada@shop.example",
  "ADA@Shop.Example ",
  "+44 20 7946 0958",
  "EUR",
  "USD",
  "en-GB",
  "Europe/Paris",
  "1990-02-29",
  "2026-12-03",
  "2026-12-03T10:15:30Z",
  "https://shop.example/p/1",
  "Order Completed",
  "Product Viewed",
  "welcome_discount",
  "abandoned_cart",
  "vip",
  "p-1",
  "{{ contact.first_name }}",
  "<p>Hello {{ contact.email }}</p>",
  "{% if x %}",
  "contacts:read",
  "email",
];

const poisonStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "x\uDFFFy",
  "\uDBFF\uDBFF",
  "\uFEFF",
  "\u202Eevil",
  "e\u0301",
  "👩‍👩‍👧‍👦",
  "'; DROP TABLE contacts; --",
  "%s%n%x",
  "../../etc/passwd",
  "\\",
  '"',
  "null",
  "NaN",
  "__proto__",
  "constructor",
  "{% for i in (1..100000000) %}x{% endfor %}",
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...plausibleStrings) },
  { weight: 3, arbitrary: fc.constantFrom(...poisonStrings) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...plausibleStrings), fc.constantFrom("\u0000", "\uD800", "\uDC00"))
      .map(([plain, poison]) => plain + poison),
  },
);

const hugeString = fc.oneof(
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 100, max: 20_000 }).map((n) => "é\u0000🛒".repeat(n)),
);

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** Values a field's name suggests, so plain cases get past the first check and go deeper. */
const hintedStrings: [RegExp, string[]][] = [
  [/email|^to$|replyTo/i, ["ada@shop.example", "Bob+news@Shop.Example", "ada@shop.example"]],
  [/url/i, ["https://shop.example/p/1", "http://localhost/x", "javascript:alert(1)"]],
  [/currency/i, ["EUR", "USD", "eur"]],
  [/locale/i, ["en-GB", "de"]],
  [/timezone/i, ["Europe/Paris", "America/New_York"]],
  [/birthday|date$|day$/i, ["1990-02-28", "2026-12-03"]],
  [/At$|timestamp/, [minutesAgo(1), minutesAgo(60 * 24 * 40), "2026-11-01T00:00:00+01:00"]],
  [
    /^(externalId|userId|productId|orderId|messageId|anonymousId|idempotencyKey)$/,
    ["c-1", "p-1", "o-1", "m-1"],
  ],
];

function stringArb(profile: FuzzProfile, hint = ""): fc.Arbitrary<string> {
  const hinted = hintedStrings.find(([pattern]) => pattern.test(hint))?.[1];
  const plain = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(hinted ?? plausibleStrings)) },
    { weight: 1, arbitrary: fc.constantFrom(...plausibleStrings) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  if (profile === "plain") return plain;
  if (profile === "huge") {
    return fc.oneof({ weight: 2, arbitrary: plain }, { weight: 1, arbitrary: hugeString });
  }
  return fc.oneof(plain, hostileString);
}

const dateTimes = fc.oneof(
  fc
    .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z") })
    .map((d) => (Number.isNaN(d.getTime()) ? "2026-12-03T00:00:00Z" : d.toISOString())),
  fc.constantFrom("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-12-03T10:00:00+14:00"),
);

function jsonArb(profile: FuzzProfile, objectOnly: boolean): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    stringArb(profile),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...poisonStrings)),
        tie("value"),
        {
          maxKeys: 3,
        },
      ),
    ),
  })).value;
  const object = fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 4 });
  if (profile !== "huge") return objectOnly ? object : value;
  const deep = fc
    .tuple(fc.integer({ min: 50, max: 1_000 }), fc.boolean())
    .map(([depth, inArrays]) => {
      let nested: unknown = "bottom";
      for (let i = 0; i < depth; i++) nested = inArrays ? [nested] : { a: nested };
      return { deep: nested };
    });
  const wide = fc
    .integer({ min: 1_000, max: 20_000 })
    .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
  return fc.oneof(object, deep, wide);
}

function scalarArb(name: string, profile: FuzzProfile, hint: string): fc.Arbitrary<unknown> {
  const extremeInts = fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31));
  switch (name) {
    case "String":
      return stringArb(profile, hint);
    case "ID":
      return fc.record({
        $id: fc.constantFrom("own", "own", "foreign", "retyped", "forged"),
        pick: fc.nat(),
      });
    case "Int":
      return profile === "plain"
        ? fc.integer({ min: -10, max: 1000 })
        : fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), extremeInts);
    case "SafeInt":
      return fc.oneof(
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
        fc.maxSafeInteger(),
      );
    case "Float":
      return profile === "plain"
        ? fc.double({ min: 0, max: 10_000, noNaN: true })
        : fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 0.1 + 0.2),
          );
    case "Boolean":
      return fc.boolean();
    case "DateTime":
      return dateTimes;
    case "Date":
      return dateTimes.map((iso) => iso.slice(0, 10));
    case "JSON":
      return jsonArb(profile, false);
    case "JSONObject":
      return jsonArb(profile, true);
    default:
      throw new Error(`no generator for the scalar ${name}`);
  }
}

/** Whether a value of `type` can contain a value of the input type named `target`. */
function reaches(type: GraphQLInputType, target: string, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return false;
  if (named.name === target) return true;
  if (seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => reaches(field.type, target, seen));
}

/** A value of the wrong type for `type`, as a careless or hostile client sends it. */
function wrongValue(type: GraphQLInputType): fc.Arbitrary<unknown> {
  const named = getNamedType(type);
  const others: fc.Arbitrary<unknown>[] = [
    fc.constant("not-the-type"),
    fc.constant(12.5),
    fc.constant(2 ** 40),
    fc.constant(true),
    fc.constant({ unexpected: 1 }),
    fc.constant([[1], { a: 2 }]),
  ];
  if (isNonNullType(type)) others.push(fc.constant(null));
  if (isEnumType(named)) others.push(fc.constant("NOT_A_VALUE"), fc.constant("created"));
  if (isScalarType(named) && named.name === "DateTime") others.push(fc.constant("yesterday"));
  return fc.oneof(...others);
}

/**
 * Makes fast-check arbitraries for the arguments of schema fields, from the field's types alone,
 * so a field added to the schema is fuzzed without anyone writing its generator. Throws, naming
 * the type, for anything it cannot build (a new scalar, an input type with no finite value).
 */
export function makeArgumentArbitraries() {
  const memo = new Map<string, fc.Arbitrary<unknown>>();

  function valueArb(type: GraphQLInputType, depth: number, profile: FuzzProfile, hint = "") {
    const key = `${profile}:${String(type)}:${depth}:${hint}`;
    let arb = memo.get(key);
    if (!arb) {
      const right = buildValue(type, depth, profile, hint);
      arb =
        profile === "mistyped"
          ? fc.oneof({ weight: 8, arbitrary: right }, { weight: 1, arbitrary: wrongValue(type) })
          : right;
      memo.set(key, arb);
    }
    return arb;
  }

  function buildValue(
    type: GraphQLInputType,
    depth: number,
    profile: FuzzProfile,
    hint: string,
  ): fc.Arbitrary<unknown> {
    if (depth > maxDepth[profile] + 12) {
      throw new Error(`${String(type)} nests without end: no finite input can be built`);
    }
    if (isNonNullType(type)) return valueArb(type.ofType, depth, profile, hint);
    if (isListType(type)) {
      const item = valueArb(type.ofType, depth + 1, profile, hint);
      const short = fc.array(item, { maxLength: depth > 1 ? 1 : 3 });
      if (profile !== "huge" || depth > 1) return short;
      // A long list repeats one plain item: long, not also huge in every item.
      const long = fc
        .tuple(
          valueArb(type.ofType, depth + 1, "plain", hint),
          fc.integer({ min: 101, max: 1_500 }),
        )
        .map(([one, n]) => Array.from({ length: n }, () => one));
      return fc.oneof(short, long);
    }
    if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.value));
    if (isScalarType(type)) return scalarArb(type.name, profile, hint);
    if (!isInputObjectType(type)) throw new Error(`no generator for ${String(type)}`);
    const fields = Object.values(type.getFields());
    const deepEnough = depth >= maxDepth[profile];
    if (type.isOneOf) {
      const candidates = deepEnough
        ? fields.filter((field) => !reaches(field.type, type.name))
        : fields;
      const usable = candidates.length ? candidates : fields;
      return fc.oneof(
        ...usable.map((field) =>
          valueArb(field.type, depth + 1, profile, field.name)
            .filter((value) => value !== null)
            .map((value) => ({ [field.name]: value })),
        ),
      );
    }
    const entries: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const field of fields) {
      const mandatory = isNonNullType(field.type) && field.defaultValue === undefined;
      if (mandatory) required.push(field.name);
      else if (deepEnough) continue;
      const value = valueArb(field.type, depth + 1, profile, field.name);
      entries[field.name] =
        mandatory || profile === "plain"
          ? value
          : fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) });
    }
    const record = fc.record(entries, { requiredKeys: required });
    if (profile !== "mistyped" || required.length === 0) return record;
    return fc.oneof(
      { weight: 6, arbitrary: record },
      {
        weight: 1,
        arbitrary: fc
          .tuple(record, fc.constantFrom(...required))
          .map(([value, left]) =>
            Object.fromEntries(Object.entries(value).filter(([k]) => k !== left)),
          ),
      },
    );
  }

  /** Arguments of one field: `{ argName: value }`, each argument's value generated from its type. */
  function argumentsOf(args: readonly GraphQLArgument[], profile: FuzzProfile) {
    const entries: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const arg of args) {
      if (isNonNullType(arg.type) && arg.defaultValue === undefined) required.push(arg.name);
      entries[arg.name] = valueArb(arg.type, 0, profile, arg.name);
    }
    return fc.record(entries, { requiredKeys: required });
  }

  return {
    /** Every profile's arguments, the profile chosen first and carried along for reporting. */
    caseOf(args: readonly GraphQLArgument[]) {
      const byProfile = fuzzProfiles.map(
        (profile) => [profile, argumentsOf(args, profile)] as const,
      );
      return fc.oneof(
        ...byProfile.map(([profile, arb]) => arb.map((values) => ({ profile, args: values }))),
      );
    },
    /** A value of one input type, e.g. an `EventInput` for a batch sent over plain HTTP. */
    arbitraryOf: (type: GraphQLInputType, profile: FuzzProfile) => valueArb(type, 0, profile),
  };
}
