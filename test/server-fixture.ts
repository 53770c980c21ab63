import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/main.js";
import type { RunningServer } from "../src/main.js";

/** A Basic Authorization header. */
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** A Harper JSON call: the HTTP status and the parsed body. */
export type Post = (body: unknown, authorization?: string) => Promise<{ status: number; body: any }>;

/** POSTs Harper JSON bodies to the server `current()` answers, as admin unless told otherwise. */
export function poster(current: () => RunningServer, admin = basic("admin", "password")): Post {
  return async (body, authorization = admin) => {
    const res = await fetch(`http://127.0.0.1:${current().port}/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}

/** Starts a job (a bulk or log operation) and polls get_job until it ends; answers the job record. */
export async function runJob(post: Post, body: unknown, authorization?: string): Promise<any> {
  const started = await post(body, authorization);
  if (started.status !== 200) throw new Error(`the job did not start: ${started.status} ${JSON.stringify(started.body)}`);
  const id = started.body.job_id as string;
  if (started.body.message !== `Starting job with id ${id}`) throw new Error(`unexpected answer ${JSON.stringify(started.body)}`);
  for (let i = 0; i < 400; i++) {
    const [record] = (await post({ operation: "get_job", id })).body;
    if (record.status === "COMPLETE" || record.status === "ERROR") return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${id} did not end`);
}

/**
 * Starts a real server in-process on a fresh temporary root (or on `existingRoot`, to start again): admin/password, loopback, any free
 * port, no standard-output log. `env` adds or overrides settings.
 */
export async function startTestServer(env: Record<string, string> = {}, existingRoot?: string): Promise<{ server: RunningServer; root: string }> {
  const root = existingRoot ?? mkdtempSync(join(tmpdir(), "harper-test-"));
  const server = await startServer({
    env: {
      ROOTPATH: root,
      HDB_ADMIN_USERNAME: "admin",
      HDB_ADMIN_PASSWORD: "password",
      OPERATIONSAPI_NETWORK_PORT: "0",
      OPERATIONSAPI_NETWORK_HOST: "127.0.0.1",
      LOGGING_STDSTREAMS: "false",
      ...env,
    },
    print: () => {},
  });
  return { server, root };
}

/** Stops a server of startTestServer and removes its root. */
export async function stopTestServer(server: RunningServer, root: string): Promise<void> {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
