import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, rename, rm, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** How writeFileAtomically reaches the folder it writes into. */
export interface AtomicWriteOptions {
  /**
   * The folder of `path`, already opened (and checked) by the caller. When given, the temporary
   * file is created, renamed and synced inside that very folder, through the descriptor
   * (/proc/self/fd/<fd>/<name> on Linux, as openat/renameat would), so that a folder name
   * swapped for a symlink after the caller's check cannot redirect the write; `path` then only
   * gives the file's name (and is the name by which it is reported). Without /proc the folder's
   * path is used, after checking that it still is the opened folder (device and inode).
   */
  folder?: FileHandle;
}

/**
 * Writes chunks to `path` atomically: into a new temporary file in the same folder (exclusive
 * create, never through a symlink, mode 0o644 before the umask, named `.<name>.<random>.tmp`),
 * fsync'ed, then renamed over `path`, and the folder fsync'ed so that the rename lasts. On any
 * error (the source throws, a write or the rename fails) the temporary file is removed, `path`
 * is untouched and the error is rethrown. Each chunk is written, and the write awaited, before
 * the next one is pulled, so a slow disk slows the source down instead of buffering it. Resolves
 * with the bytes written. See AtomicWriteOptions for writing into an opened folder.
 */
export async function writeFileAtomically(path: string, chunks: AsyncIterable<string | Uint8Array>, options: AtomicWriteOptions = {}): Promise<number> {
  const folder = options.folder === undefined ? dirname(path) : await folderPath(options.folder, dirname(path));
  const name = basename(path);
  const temporary = join(folder, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const target = join(folder, name);
  const file = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  let bytes = 0;
  let closing = false;
  try {
    for await (const chunk of chunks) bytes += await writeAll(file, typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    await file.sync();
    closing = true;
    await file.close();
    await rename(temporary, target);
  } catch (error) {
    // A failing close must not hide the error that got us here.
    if (!closing) await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  if (options.folder === undefined) await syncFolder(folder);
  else await options.folder.sync().catch(() => undefined); // best effort, as syncFolder
  return bytes;
}

/**
 * The path by which to reach an opened folder: its /proc/self/fd entry on Linux (a path through
 * it leads into exactly that folder, whatever happened to its name), else `named` if that is
 * still the opened folder (device and inode); otherwise the folder was swapped since the caller
 * checked it, and the write is refused.
 */
async function folderPath(folder: FileHandle, named: string): Promise<string> {
  const opened = await folder.stat();
  const proc = `/proc/self/fd/${folder.fd}`;
  if (process.platform === "linux") {
    const seen = await stat(proc).catch(() => undefined);
    if (seen !== undefined && seen.dev === opened.dev && seen.ino === opened.ino) return proc;
  }
  const now = await lstat(named).catch(() => undefined);
  if (now !== undefined && now.isDirectory() && now.dev === opened.dev && now.ino === opened.ino) return named;
  throw Object.assign(new Error(`the folder ${named} changed since it was checked`), { code: "ECHANGED" });
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
