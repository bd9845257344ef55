import { z } from "zod";

const importEnvironment = z.object({
  CARTWHEEL_API_KEY: z
    .string({ error: "CARTWHEEL_API_KEY is not set: give a secret key (cw_sk_…) of the workspace" })
    .min(1, "CARTWHEEL_API_KEY is empty: give a secret key (cw_sk_…) of the workspace"),
  CARTWHEEL_API_URL: z
    .url({ error: "CARTWHEEL_API_URL is not a URL" })
    .default("http://127.0.0.1:4000"),
  /** npm sets it to the directory `npm run` was called from; file names are relative to it. */
  INIT_CWD: z.string().optional(),
});

export interface ImportConfig {
  apiKey: string;
  apiUrl: string;
  /** The directory relative file names are read from. */
  workingDirectory: string;
}

/**
 * The import command's environment, checked: a missing key names the variable.
 *
 * @example const config = loadImportConfig(process.env)
 */
export function loadImportConfig(env: NodeJS.ProcessEnv): ImportConfig {
  const parsed = importEnvironment.safeParse(env);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => issue.message).join("\n"));
  }
  return {
    apiKey: parsed.data.CARTWHEEL_API_KEY,
    apiUrl: parsed.data.CARTWHEEL_API_URL,
    workingDirectory: parsed.data.INIT_CWD ?? process.cwd(),
  };
}
