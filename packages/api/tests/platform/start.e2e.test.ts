import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/platform/free-port.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/**
 * Starts the platform exactly as `npm start` does after its build step (`tsx scripts/start.ts`),
 * on the embedded default: DATABASE_URL and the admin key are left unset.
 */
async function startPlatform(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  delete childEnv.CARTWHEEL_ADMIN_KEY;
  delete childEnv.SES_REGION;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("press Ctrl-C to stop") && output.includes("cartwheel api: GraphQL"))
        resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited early (${code}):\n${output}`)));
  });
  return { child, output: () => output };
}

function stopPlatform(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

describe("npm start on the embedded default", () => {
  let dataDir: string;
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("serves GraphQL over HTTP, keeps data across a restart and leaves no process behind", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "cartwheel-start-"));
    // Under root the embedded cluster runs as the postgres user, who must reach the directory.
    await chmod(dataDir, 0o755);
    const ports = { api: await freePort(), postgres: await freePort(), ses: await freePort() };
    const env = {
      CARTWHEEL_DATA_DIR: dataDir,
      PORT: String(ports.api),
      CARTWHEEL_POSTGRES_PORT: String(ports.postgres),
      CARTWHEEL_SES_PORT: String(ports.ses),
    };
    const graphql = async (query: string, key: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(`http://127.0.0.1:${ports.api}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: Record<string, any> }).data;
    };

    const first = await startPlatform(env);
    expect(first.output()).toContain(`http://localhost:${ports.api}/graphql`);
    expect(first.output()).toContain("root admin key (new");
    const adminKey = (await readFile(path.join(dataDir, "admin-key"), "utf8")).trim();
    expect(first.output()).toContain(adminKey);

    const { createWorkspace } = await graphql(
      `mutation { createWorkspace(input: { name: "Restart shop" }) { ... on MutationCreateWorkspaceSuccess { workspace { id } } } }`,
      adminKey,
    );
    const { createApiKey } = await graphql(
      `mutation($id: ID!) { createApiKey(input: { workspaceId: $id, name: "backend", kind: SECRET }) {
        ... on MutationCreateApiKeySuccess { created { plaintext } } } }`,
      adminKey,
      { id: createWorkspace.workspace.id },
    );
    const key: string = createApiKey.created.plaintext;
    await graphql(
      `mutation { upsertContact(input: { email: "kept@example.com", firstName: "Kept" }) { __typename } }`,
      key,
    );
    const inbox = await fetch(`http://127.0.0.1:${ports.ses}/store`);
    expect(inbox.status).toBe(200);

    expect(await stopPlatform(first.child)).toBe(0);
    for (const port of Object.values(ports)) expect(await portIsClosed(port)).toBe(true);

    const second = await startPlatform(env);
    expect(second.output()).toContain("root admin key: in");
    const { contacts } = await graphql(`{ contacts { edges { node { email firstName } } } }`, key);
    expect(contacts.edges).toEqual([{ node: { email: "kept@example.com", firstName: "Kept" } }]);
    expect(await stopPlatform(second.child)).toBe(0);
    for (const port of Object.values(ports)) expect(await portIsClosed(port)).toBe(true);
  }, 180_000);
});
