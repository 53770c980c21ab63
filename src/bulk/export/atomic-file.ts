import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes chunks to `path` atomically: into a new temporary file beside it, flushed to disk, then
 * renamed over `path`. On any failure the temporary file is removed and `path` is untouched.
 * Resolves with the number of bytes written.
 */
export async function writeFileAtomically(path: string, chunks: AsyncIterable<string | Uint8Array>): Promise<number> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(temporary, "wx", 0o644);
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      let offset = 0;
      while (offset < buffer.length) offset += (await file.write(buffer, offset, buffer.length - offset)).bytesWritten;
      bytes += buffer.length;
    }
    await file.sync();
    await file.close();
    await rename(temporary, path);
    return bytes;
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
