import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** A running s3rver: its endpoint URL, its one bucket, its storage folder, and how to stop it. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a real S3-compatible server (s3rver) on 127.0.0.1 and a free port, silent, storing in a
 * fresh temporary folder, with one bucket. s3rver accepts any V4 signature made with the
 * access key "S3RVER" (its built-in account). `stop()` closes it and removes the folder.
 */
export async function startS3Server(bucket = "harper-test"): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "harper-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dir,
    async stop() {
      try {
        await server.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
