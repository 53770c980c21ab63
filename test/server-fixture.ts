import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/main.js";
import type { RunningServer } from "../src/main.js";

/** A Basic Authorization header. */
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/**
 * Starts a real server in-process on a fresh temporary root: admin/password, loopback, any free
 * port, no standard-output log. `env` adds or overrides settings.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<{ server: RunningServer; root: string }> {
  const root = mkdtempSync(join(tmpdir(), "harper-test-"));
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
