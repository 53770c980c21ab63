import { constants } from "node:fs";
import { access, lstat, realpath, stat } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { basename, dirname, join, resolve, sep } from "node:path";

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

/**
 * Resolves a file to read: absolute after resolving `..` and symlinks (realpath), must be a
 * regular readable file inside one of the allowed folders (also realpath'ed). Errors use Harper's
 * messages (spec §4.2): missing -> `No such file or directory <path>`, unreadable or outside the
 * allowed folders -> `Permission denied <path>` (same text for both, and a missing file outside
 * is "denied" too: a caller must not learn what exists outside). Not a regular file (a folder, a
 * device, a pipe) -> `Not a regular file <path>`. A relative path is taken from the working folder.
 */
export async function resolveReadableFile(path: string, allowed: readonly string[]): Promise<string> {
  const denied = (): PathError => new PathError(`Permission denied ${path}`, "denied");
  const place = await locate(resolve(path));
  if (place === undefined || !(await inside(place.real, allowed))) throw denied();
  if (!place.exists) throw new PathError(`No such file or directory ${path}`, "missing");
  if (!(await stat(place.real)).isFile()) throw new PathError(`Not a regular file ${path}`, "not_file");
  if (!(await allows(place.real, constants.R_OK))) throw denied();
  return place.real;
}

/**
 * Resolves an export folder (trailing / stripped): must exist (`path '<path>' does not exist`), be
 * a directory (`path '<path>' is not a directory, please supply a valid folder path`), be writable
 * and inside the allowed folders (else `access to path '<path>' is denied`, also for a missing
 * path outside them); returns the real path. Messages quote the stripped path, as Harper's do.
 */
export async function resolveExportFolder(path: string, allowed: readonly string[]): Promise<string> {
  const shown = path.replace(/\/+$/, "") || (path ? "/" : "");
  const denied = (): PathError => new PathError(`access to path '${shown}' is denied`, "denied");
  // An empty path would resolve to the working folder; Harper refuses it too.
  if (shown === "") throw new PathError(`path '' does not exist`, "missing");
  const place = await locate(resolve(shown));
  if (place === undefined || !(await inside(place.real, allowed))) throw denied();
  if (!place.exists) throw new PathError(`path '${shown}' does not exist`, "missing");
  if (!(await stat(place.real)).isDirectory()) {
    throw new PathError(`path '${shown}' is not a directory, please supply a valid folder path`, "not_dir");
  }
  if (!(await allows(place.real, constants.W_OK | constants.X_OK))) throw denied();
  return place.real;
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
