import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes chunks to `path` atomically: into a new temporary file in the same folder (exclusive
 * create, mode 0o644 before the umask, named `.<name>.<random>.tmp`), fsync'ed, then renamed
 * over `path`, and the folder fsync'ed so that the rename lasts. On any error (the source throws,
 * a write or the rename fails) the temporary file is removed, `path` is untouched and the error
 * is rethrown. Each chunk is written, and the write awaited, before the next one is pulled, so a
 * slow disk slows the source down instead of buffering it. Resolves with the bytes written.
 */
export async function writeFileAtomically(path: string, chunks: AsyncIterable<string | Uint8Array>): Promise<number> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(temporary, "wx", 0o644);
  let bytes = 0;
  let closing = false;
  try {
    for await (const chunk of chunks) bytes += await writeAll(file, typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    await file.sync();
    closing = true;
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    // A failing close must not hide the error that got us here.
    if (!closing) await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
  return bytes;
}

/** Writes all of `data` (a write may take less than it is given). */
async function writeAll(file: FileHandle, data: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < data.length) offset += (await file.write(data, offset, data.length - offset)).bytesWritten;
  return data.length;
}

/**
 * Flushes a folder's entries, so that a rename survives a crash. Best effort: the file is in place
 * by now, and a file system that cannot sync folders (EINVAL, EISDIR on some) must not turn a
 * finished export into a failed one.
 */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, "r");
    await handle.sync();
  } catch {
    // Deliberately ignored, see above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
