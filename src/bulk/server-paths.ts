import { constants } from "node:fs";
import { access, lstat, open, readlink, realpath, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";

/**
 * Where bulk operations may reach on the server: the folders csv_file_load may read and
 * export_local may write, and (checkPublicHost) the hosts csv_url_load may fetch for callers who
 * are not super users.
 */

/** A refused server path; `message` is Harper's text for the case (spec bulk-jobs.md §4.2, §5.1). */
export class PathError extends Error {
  constructor(
    message: string,
    readonly code: "missing" | "denied" | "not_dir" | "not_file",
  ) {
    super(message);
    this.name = "PathError";
  }
}

/** A server file or folder opened after the policy's checks, and the real path of what was opened. */
export interface OpenedPath {
  /** The open descriptor; the caller reads (or writes into) it and must close it. */
  handle: FileHandle;
  /** The real path of what the descriptor refers to, as the kernel names it (inside the allowed folders). */
  real: string;
}

/**
 * Opens a file to read, checked against the allowed folders on the descriptor itself, so that a
 * path swapped between check and use (a symlink flipped in, a folder renamed) cannot make a
 * caller read a file outside the folders. Read the file through `handle` only, never by name.
 *
 * The path is taken from the working folder when relative, `..` and symlinks are resolved
 * (realpath) and judged first, for Harper's messages (spec §4.2): missing inside ->
 * `No such file or directory <path>`; outside the allowed folders (also realpath'ed), missing
 * or not, unreadable, or a dangling symlink -> `Permission denied <path>` (a caller must not
 * learn what exists outside); not a regular file (a folder, a device, a pipe) ->
 * `Not a regular file <path>`. Then that real path is opened with O_NOFOLLOW (a final symlink
 * swapped in meanwhile fails, and is denied) and O_NONBLOCK (a pipe swapped in cannot block the
 * open), the real path of the descriptor is taken from the kernel (/proc/self/fd) and checked
 * against the allowed folders again, and the descriptor must be a regular file (fstat). A
 * symlink given by the caller is thus followed only through the first, judged resolution.
 */
export async function openReadableFile(path: string, allowed: readonly string[]): Promise<OpenedPath> {
  const denied = (): PathError => new PathError(`Permission denied ${path}`, "denied");
  const absolute = resolve(path);
  const place = await locate(absolute);
  if (place === undefined || !(await inside(place.real, allowed))) throw denied();
  if (!place.exists) throw new PathError(`No such file or directory ${path}`, "missing");
  const kind = await stat(place.real).catch(() => undefined);
  if (kind === undefined) {
    // Gone, or become a dangling symlink, since it was located.
    if (await stillMissingInside(absolute, allowed)) throw new PathError(`No such file or directory ${path}`, "missing");
    throw denied();
  }
  if (!kind.isFile()) throw new PathError(`Not a regular file ${path}`, "not_file");
  let handle: FileHandle;
  try {
    handle = await open(place.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    // The path changed since it was judged (ELOOP: a symlink took the file's place), or the file is unreadable.
    if (!isRefusal(error)) throw error;
    if (isMissing(error) && (await stillMissingInside(absolute, allowed))) throw new PathError(`No such file or directory ${path}`, "missing");
    throw denied();
  }
  try {
    const real = await descriptorPath(handle, place.real);
    if (real === undefined || !(await inside(real, allowed))) throw denied();
    if (!(await handle.stat()).isFile()) throw new PathError(`Not a regular file ${path}`, "not_file");
    return { handle, real };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Where a file to read is: openReadableFile's checks and messages, answering the real path of
 * the file it opened (and closed). Only an answer about now: a caller that reads the file must
 * use openReadableFile and read the descriptor, or the path may lead elsewhere by then.
 */
export async function resolveReadableFile(path: string, allowed: readonly string[]): Promise<string> {
  const { handle, real } = await openReadableFile(path, allowed);
  await handle.close();
  return real;
}

/**
 * Opens an export folder (trailing / stripped), checked against the allowed folders on the
 * descriptor itself: write into it through the descriptor (writeFileAtomically's `folder`), not
 * by name, so that a folder swapped for a symlink after the check cannot redirect the file.
 *
 * It must exist (`path '<path>' does not exist`), be a directory (`path '<path>' is not a
 * directory, please supply a valid folder path`), be writable and inside the allowed folders
 * (else `access to path '<path>' is denied`, also for a missing path outside them). Messages
 * quote the stripped path, as Harper's do. The realpath'ed folder is opened with O_DIRECTORY and
 * O_NOFOLLOW, and the real path of the descriptor (from the kernel) is checked again.
 */
export async function openExportFolder(path: string, allowed: readonly string[]): Promise<OpenedPath> {
  const shown = path.replace(/\/+$/, "") || (path ? "/" : "");
  const denied = (): PathError => new PathError(`access to path '${shown}' is denied`, "denied");
  const notDirectory = (): PathError => new PathError(`path '${shown}' is not a directory, please supply a valid folder path`, "not_dir");
  // An empty path would resolve to the working folder; Harper refuses it too.
  if (shown === "") throw new PathError(`path '' does not exist`, "missing");
  const absolute = resolve(shown);
  const place = await locate(absolute);
  if (place === undefined || !(await inside(place.real, allowed))) throw denied();
  if (!place.exists) throw new PathError(`path '${shown}' does not exist`, "missing");
  const kind = await stat(place.real).catch(() => undefined);
  if (kind === undefined) {
    // Gone, or become a dangling symlink, since it was located.
    if (await stillMissingInside(absolute, allowed)) throw new PathError(`path '${shown}' does not exist`, "missing");
    throw denied();
  }
  if (!kind.isDirectory()) throw notDirectory();
  let handle: FileHandle;
  try {
    handle = await open(place.real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    // ENOTDIR on the last name: a file took the folder's place since it was judged.
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR" && (await lstat(place.real).then((s) => s.isFile(), () => false))) throw notDirectory();
    if (isMissing(error) && (await stillMissingInside(absolute, allowed))) throw new PathError(`path '${shown}' does not exist`, "missing");
    throw denied();
  }
  try {
    const real = await descriptorPath(handle, place.real);
    if (real === undefined || !(await inside(real, allowed))) throw denied();
    if (!(await handle.stat()).isDirectory()) throw notDirectory();
    if (!(await allows(procPath(handle) ?? real, constants.W_OK | constants.X_OK))) throw denied();
    return { handle, real };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Where an export folder is: openExportFolder's checks and messages, answering the real path of
 * the folder it opened (and closed). Only an answer about now: a caller that writes into the
 * folder must use openExportFolder and write through the descriptor.
 */
export async function resolveExportFolder(path: string, allowed: readonly string[]): Promise<string> {
  const { handle, real } = await openExportFolder(path, allowed);
  await handle.close();
  return real;
}

/** Errors of open() that mean "this path cannot be had" (refused), rather than a failure of the server (EMFILE, EIO...). */
function isRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && ["ELOOP", "EACCES", "EPERM", "ENOENT", "ENOTDIR", "ENXIO", "EISDIR", "ENODEV", "EROFS", "ETXTBSY"].includes(code);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Whether a path that could not be opened is, judged afresh, missing inside the allowed folders (it vanished meanwhile). */
async function stillMissingInside(absolute: string, allowed: readonly string[]): Promise<boolean> {
  const place = await locate(absolute);
  return place !== undefined && !place.exists && (await inside(place.real, allowed));
}

/** The /proc path of a descriptor, where the system has one (Linux); it leads to exactly what the descriptor refers to. */
function procPath(handle: FileHandle): string | undefined {
  return process.platform === "linux" ? `/proc/self/fd/${handle.fd}` : undefined;
}

/**
 * The real path of what a descriptor refers to. On Linux the kernel's name for it
 * (readlink /proc/self/fd/<fd>): not looked up again, so nothing swapped later changes it. A file
 * deleted (or replaced by a rename) since it was opened is named by where it was, with
 * ` (deleted)` appended, which is removed: the link count, read after the name, tells whether the
 * suffix is the kernel's (0 links) or part of the name. Elsewhere, or without /proc: the real
 * path of `expected` now, if it is the very same file (device and inode) as the descriptor.
 * Undefined when there is no such path.
 */
async function descriptorPath(handle: FileHandle, expected: string): Promise<string | undefined> {
  const proc = procPath(handle);
  if (proc !== undefined) {
    let real: string | undefined;
    try {
      real = await readlink(proc);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
      // No /proc mounted: fall through to the comparison.
    }
    if (real !== undefined) {
      const deleted = " (deleted)";
      if ((await handle.stat()).nlink === 0 && real.endsWith(deleted)) real = real.slice(0, -deleted.length);
      return isAbsolute(real) ? real : undefined;
    }
  }
  try {
    const opened = await handle.stat();
    const real = await realpath(expected);
    const now = await stat(real);
    return opened.nlink > 0 && now.dev === opened.dev && now.ino === opened.ino ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Where an absolute path really is, and whether it exists. */
interface Place {
  real: string;
  exists: boolean;
}

/**
 * The real path of `absolute`; for a path that does not exist, the real path of its deepest
 * existing ancestor with the missing names appended (so that a missing file under a symlink that
 * leads outside is judged by where it would be). Undefined when the path cannot be resolved for
 * another reason (no search permission, a symlink loop, a dangling symlink, a NUL byte): callers
 * refuse such paths.
 */
async function locate(absolute: string): Promise<Place | undefined> {
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      const real = await realpath(existing);
      return { real: join(real, ...missing.reverse()), exists: missing.length === 0 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return undefined;
      // The name exists but does not resolve: a dangling symlink, whose target we do not judge.
      if (await lstat(existing).then(() => true, () => false)) return undefined;
      const parent = dirname(existing);
      if (parent === existing) return undefined;
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

/** Whether a real path lies in (or is) one of the folders, each realpath'ed (a missing folder allows nothing). */
async function inside(real: string, folders: readonly string[]): Promise<boolean> {
  for (const folder of folders) {
    const root = await realpath(resolve(folder)).catch(() => undefined);
    if (root === undefined) continue;
    if (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)) return true;
  }
  return false;
}

/** Whether this process may access a path in the given mode. */
function allows(path: string, mode: number): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

/**
 * Whether a host may be fetched by a caller that is not a super user: resolves the host name
 * (dns.lookup, all addresses; an IP literal, bracketed or not, as itself) and refuses it when any
 * address is not public (see isPublicAddress), or when it has none. Returns the addresses. The
 * answer can change by the time of the request: a fetch should also check the addresses it
 * connects to (url-source.ts does, with isPublicAddress in its lookup).
 */
export async function checkPublicHost(hostname: string): Promise<string[]> {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (host === "") throw new Error("the URL has no host name");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  if (addresses.length === 0) throw new Error(`the host ${hostname} has no address`);
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused === host) throw new Error(`the address ${hostname} is not public`);
  if (refused !== undefined) throw new Error(`the address ${refused} of ${hostname} is not public`);
  return addresses;
}

/**
 * Whether an IP address is public unicast: not unspecified, loopback, private (RFC 1918, shared
 * 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), multicast, reserved or broadcast.
 * IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d in either notation, compatible,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address. Not an IP address: false.
 */
export function isPublicAddress(address: string): boolean {
  const ip = address.split("%")[0]!; // drop an IPv6 zone index (fe80::1%eth0)
  switch (isIP(ip)) {
    case 4:
      return isPublicV4(ip.split(".").map(Number));
    case 6:
      return isPublicV6(ipv6Groups(ip));
    default:
      return false;
  }
}

/** An IPv4 address, as its four bytes. */
function isPublicV4([a, b, c]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127) return false; // "this network" (0.0.0.0 reaches the host), private, loopback
  if (a === 100 && b! >= 64 && b! <= 127) return false; // shared address space (carrier-grade NAT)
  if (a === 169 && b === 254) return false; // link-local, cloud metadata services
  if (a === 172 && b! >= 16 && b! <= 31) return false; // private
  if (a === 192 && b === 168) return false; // private
  if (a === 192 && b === 0 && c === 0) return false; // IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  return a! < 224; // multicast 224/4, reserved 240/4, broadcast
}

/** An IPv6 address, as its eight 16-bit groups. */
function isPublicV6(g: number[]): boolean {
  const v4 = (high: number, low: number): boolean => isPublicV4([high >> 8, high & 255, low >> 8, low & 255]);
  const zero = (from: number, to: number): boolean => g.slice(from, to).every((group) => group === 0);
  if (zero(0, 6)) return v4(g[6]!, g[7]!); // ::, ::1 and IPv4-compatible ::a.b.c.d
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // IPv4-mapped
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!); // IPv4-translated
  if (g[0] === 0x64 && g[1] === 0xff9b) return zero(2, 6) && v4(g[6]!, g[7]!); // NAT64 (64:ff9b:1::/48 is local use)
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4
  if (g[0] === 0x100 && zero(1, 4)) return false; // discard-only
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false; // documentation
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return false; // link-local, old site-local
  return (first & 0xff00) !== 0xff00; // multicast
}

/** The eight groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".")) {
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const before = head ? head.split(":") : [];
  const after = rest ? rest.split(":") : [];
  const fill = rest === undefined ? [] : new Array<string>(8 - before.length - after.length).fill("0");
  return [...before, ...fill, ...after].map((group) => parseInt(group, 16));
}
