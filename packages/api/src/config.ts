import { z } from "zod";

const postgresUrl = z
  .string({ error: "is required: a postgres:// connection URL" })
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL");

const database = z
  .object({
    DATABASE_URL: postgresUrl,
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  })
  .transform((env) => ({ url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }));

const server = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default("127.0.0.1"),
    CARTWHEEL_ADMIN_KEY: z
      .string({ error: "is required: the root admin key that manages workspaces" })
      .min(24, "must be at least 24 characters"),
    CARTWHEEL_PUBLIC_URL: z.url().optional(),
    CARTWHEEL_MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(10),
    CARTWHEEL_MAX_QUERY_COST: z.coerce.number().int().min(100).default(20000),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    adminKey: env.CARTWHEEL_ADMIN_KEY,
    publicUrl: env.CARTWHEEL_PUBLIC_URL,
    maxQueryDepth: env.CARTWHEEL_MAX_QUERY_DEPTH,
    maxQueryCost: env.CARTWHEEL_MAX_QUERY_COST,
  }));

/**
 * Event ingestion (`POST /v1/batch`, `ingestEvents`). The rate limit is a token bucket per API
 * key, held in Postgres and shared by every API process. Defaults: 200 requests per second,
 * bursts of 400.
 */
const ingestion = z
  .object({
    CARTWHEEL_INGEST_RATE_PER_SECOND: z.coerce.number().positive().default(200),
    CARTWHEEL_INGEST_RATE_BURST: z.coerce.number().int().min(1).default(400),
  })
  .transform((env) => ({
    ratePerSecond: env.CARTWHEEL_INGEST_RATE_PER_SECOND,
    burst: env.CARTWHEEL_INGEST_RATE_BURST,
  }));

const developmentEmailSecret = "cartwheel-development-email-signing-secret";

/**
 * Email delivery and tracking. Defaults point at the local SES API (`npm start` runs it on
 * port 8005); setting SES_REGION without SES_ENDPOINT means real Amazon SES, with credentials
 * from the AWS SDK's usual chain. CARTWHEEL_EMAIL_SECRET signs tracking and unsubscribe links;
 * it must be set in production.
 */
const email = z
  .object({
    SES_ENDPOINT: z.url().optional(),
    SES_REGION: z.string().min(1).optional(),
    AWS_REGION: z.string().min(1).optional(),
    AWS_ACCESS_KEY_ID: z.string().optional(),
    SES_CONFIGURATION_SET: z.string().min(1).optional(),
    CARTWHEEL_PUBLIC_URL: z.url().default("http://localhost:4000"),
    CARTWHEEL_EMAIL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    CARTWHEEL_UNSUBSCRIBE_MAILTO: z.email().optional(),
    CARTWHEEL_SNS_TOPIC_ARNS: z.string().optional(),
    NODE_ENV: z.string().optional(),
  })
  .refine((env) => env.NODE_ENV !== "production" || env.CARTWHEEL_EMAIL_SECRET, {
    path: ["CARTWHEEL_EMAIL_SECRET"],
    message: "is required in production: the secret that signs email links",
  })
  .transform((env) => {
    const endpoint = env.SES_ENDPOINT ?? (env.SES_REGION ? undefined : "http://127.0.0.1:8005");
    return {
      ses: {
        endpoint,
        region: env.SES_REGION ?? env.AWS_REGION ?? "us-east-1",
        /** Dummy credentials for the local SES API when none are set. */
        credentials:
          endpoint && !env.AWS_ACCESS_KEY_ID
            ? { accessKeyId: "local", secretAccessKey: "local" }
            : undefined,
        configurationSet: env.SES_CONFIGURATION_SET,
      },
      publicUrl: env.CARTWHEEL_PUBLIC_URL.replace(/\/$/, ""),
      signingSecret: env.CARTWHEEL_EMAIL_SECRET ?? developmentEmailSecret,
      unsubscribeMailto: env.CARTWHEEL_UNSUBSCRIBE_MAILTO,
      snsTopicArns: env.CARTWHEEL_SNS_TOPIC_ARNS?.split(",").map((arn) => arn.trim()) ?? [],
      /**
       * With no topic list, SNS messages from any topic are taken only in development (the
       * local SES API); with real SES anyone could subscribe us to their own topic.
       */
      acceptAnySnsTopic: !env.SES_REGION && env.NODE_ENV !== "production",
    };
  });

/**
 * Carts: one with no activity for CARTWHEEL_CART_ABANDON_AFTER_MINUTES (default 60) is marked
 * abandoned by the worker's sweep (every 5 minutes).
 */
const carts = z
  .object({
    CARTWHEEL_CART_ABANDON_AFTER_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .default(60),
  })
  .transform((env) => ({ abandonAfterMinutes: env.CARTWHEEL_CART_ABANDON_AFTER_MINUTES }));

/** The api package's configuration, by section. Nothing else reads `process.env`. */
const sections = { database, server, ingestion, email, carts } as const;
export type ConfigSection = keyof typeof sections;
type SectionValue<S extends ConfigSection> = z.output<(typeof sections)[S]>;

/** Every section an API server process uses; the worker uses `workerSections`. */
export const apiServerSections: readonly ConfigSection[] = [
  "database",
  "server",
  "ingestion",
  "email",
];
/** The worker sends mail and sweeps carts, so it needs those sections besides the database. */
export const workerSections: readonly ConfigSection[] = ["database", "email", "carts"];

const loaded = new Map<ConfigSection, unknown>();

/** The environment was refused; `problems` names each variable, e.g. `DATABASE_URL: is required…`. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
}

/**
 * The problems `env` has for these sections, one line per variable; empty when it is valid.
 * `npm start` checks the environment it will give the API and the worker this way, before
 * starting either.
 *
 * @example checkConfig(["database", "email"], { NODE_ENV: "production" }) // ["DATABASE_URL: is required…", "CARTWHEEL_EMAIL_SECRET: is required in production…"]
 */
export function checkConfig(names: readonly ConfigSection[], env: NodeJS.ProcessEnv): string[] {
  return names.flatMap((name) => {
    const result = sections[name].safeParse(env);
    return result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  });
}

/**
 * Validates every section a deployable uses, at once, when it boots, and keeps the values:
 * a process with a bad or missing variable refuses to start with a message naming it, instead
 * of failing inside the first job that needs it. Throws ConfigError.
 *
 * @example loadConfig(apiServerSections) // first thing in server.ts
 */
export function loadConfig(names: readonly ConfigSection[], env = process.env): void {
  const problems = checkConfig(names, env);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const name of names) loaded.set(name, sections[name].parse(env));
}

/** A section's values: as loaded at boot, or parsed now (tests and scripts that skip boot). */
function read<S extends ConfigSection>(name: S): SectionValue<S> {
  if (!loaded.has(name)) loadConfig([name]);
  return loaded.get(name) as SectionValue<S>;
}

export const databaseConfig = () => read("database");
export const serverConfig = () => read("server");
export const ingestionConfig = () => read("ingestion");
export const emailConfig = () => read("email");
export const cartsConfig = () => read("carts");
