import { z } from "zod";

/**
 * The api package's environment, validated once. Nothing else reads `process.env`.
 * Each part is parsed when first asked for, so the worker, which needs only the database,
 * does not have to set the server's variables.
 */
function section<T extends z.ZodType>(schema: T): () => z.output<T> {
  let parsed: z.output<T> | undefined;
  return () => {
    if (parsed === undefined) {
      const result = schema.safeParse(process.env);
      if (!result.success) {
        const problems = result.error.issues
          .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
          .join("\n");
        throw new Error(`Invalid environment:\n${problems}`);
      }
      parsed = result.data;
    }
    return parsed;
  };
}

const postgresUrl = z
  .string({ error: "is required: a postgres:// connection URL" })
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL");

export const databaseConfig = section(
  z
    .object({
      DATABASE_URL: postgresUrl,
      DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    })
    .transform((env) => ({ url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE })),
);

export const serverConfig = section(
  z
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
    })),
);
