import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { resolve, sep } from "node:path";

/** A refused server path; `message` is Harper's text for the case. */
export class PathError extends Error {
  constructor(
    message: string,
    readonly code: "missing" | "denied" | "not_dir" | "not_file",
  ) {
    super(message);
    this.name = "PathError";
  }
}

/** Whether `path` (real) lies inside one of the (real) folders. */
async function inside(path: string, allowed: readonly string[]): Promise<boolean> {
  for (const folder of allowed) {
    let real: string;
    try {
      real = await realpath(folder);
    } catch {
      continue;
    }
    if (real === sep || path === real || path.startsWith(real.endsWith(sep) ? real : real + sep)) return true;
  }
  return false;
}

/**
 * The real path of a file to load: `..` and symlinks resolved, a readable regular file inside one
 * of the allowed folders. Harper's messages (spec bulk-jobs.md §4.2): `No such file or directory
 * <path>`, and `Permission denied <path>` for an unreadable file and for one outside the allowed
 * folders alike, so that a caller learns nothing of what lies outside.
 */
export async function resolveReadableFile(path: string, allowed: readonly string[]): Promise<string> {
  const absolute = resolve(path);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    if (!(await inside(absolute, allowed))) throw new PathError(`Permission denied ${path}`, "denied");
    throw new PathError(`No such file or directory ${path}`, "missing");
  }
  if (!(await inside(real, allowed))) throw new PathError(`Permission denied ${path}`, "denied");
  const info = await stat(real);
  if (!info.isFile()) throw new PathError(`Permission denied ${path}`, "not_file");
  try {
    await access(real, constants.R_OK);
  } catch {
    throw new PathError(`Permission denied ${path}`, "denied");
  }
  return real;
}

/**
 * The real path of an export folder: it must exist, be a writable directory inside the allowed
 * folders (spec bulk-jobs.md §5.1 messages).
 */
export async function resolveExportFolder(path: string, allowed: readonly string[]): Promise<string> {
  let real: string;
  try {
    real = await realpath(resolve(path));
  } catch {
    throw new PathError(`path '${path}' does not exist`, "missing");
  }
  if (!(await inside(real, allowed))) throw new PathError(`access to path '${path}' is denied`, "denied");
  if (!(await stat(real)).isDirectory()) throw new PathError(`path '${path}' is not a directory, please supply a valid folder path`, "not_dir");
  try {
    await access(real, constants.W_OK);
  } catch {
    throw new PathError(`access to path '${path}' is denied`, "denied");
  }
  return real;
}

/** Whether an IP address is a public unicast address (not loopback, private, link-local, unspecified or multicast). */
export function isPublicAddress(address: string): boolean {
  let ip = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  if (isIP(ip) === 4) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 169 && b === 254) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT
    return true;
  }
  if (isIP(ip) === 6) {
    if (ip === "::" || ip === "::1") return false;
    if (/^f[cd]/.test(ip)) return false; // fc00::/7 unique local
    if (/^fe[89ab]/.test(ip)) return false; // fe80::/10 link-local
    if (/^ff/.test(ip)) return false; // multicast
    return true;
  }
  return false;
}

/** Resolves a host name and refuses it unless every address is public; answers the addresses. */
export async function checkPublicHost(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) throw new Error(`the address ${refused} of ${hostname} is not public`);
  return addresses;
}
