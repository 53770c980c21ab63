import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** A real S3-compatible server (s3rver) on loopback, with one bucket, for the S3 bulk operations. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 and a free port, silent, storing in a fresh temporary folder. */
export async function startS3Server(bucket = "harper-test"): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "harper-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as unknown as { address: string; port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
