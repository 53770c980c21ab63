import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** The hash function recorded in hdb_user.hash_function for passwords hashed here. */
export const passwordHashFunction = "scrypt";

const keyLength = 64;
const cost = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

// Why the password is digested before scrypt: scrypt's first step is PBKDF2-HMAC-SHA256 keyed by
// the password, and HMAC pads a key shorter than its 64-byte block with zero bytes, so "pw",
// "pw\0" and "pw\0\0" are the same key (and a key over 64 bytes is replaced by its SHA-256, so a
// 32-byte password equal to that digest is the same key too). A SHA-256 digest always has 32
// bytes: the key scrypt sees then differs whenever the password's bytes differ.
//
// Stored forms: `scrypt$sha256$<salt>$<hex key>` (current) and `scrypt$<salt>$<hex key>` (the
// password's bytes fed to scrypt directly; hashes written before the digest step). The salt is
// base64url, which never contains `$`, and is 22 characters long, so it is never "sha256".
const digestScheme = "sha256";

function derive(password: Uint8Array, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, cost, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest();

/**
 * The exact bytes of a password: its UTF-8 encoding for a string, the bytes themselves otherwise.
 * Undefined for a string holding a lone surrogate (text that has no UTF-8 encoding: encoding it
 * would put U+FFFD in its place, so that any two such passwords would be equal).
 */
export function passwordBytes(password: string | Uint8Array): Uint8Array | undefined {
  if (typeof password !== "string") return password;
  // With the u flag a surrogate class matches only a surrogate that is not half of a pair.
  if (/[\uD800-\uDFFF]/u.test(password)) return undefined;
  return Buffer.from(password, "utf8");
}

/**
 * Hashes a password with scrypt over the SHA-256 digest of its bytes and a random salt:
 * `scrypt$sha256$<salt>$<hex key>`. Slow on purpose; callers cache successful verifications.
 * A string with a lone surrogate is hashed with U+FFFD in its place (and never verifies: see
 * verifyPassword).
 */
export async function hashPassword(password: string | Uint8Array): Promise<string> {
  const bytes = passwordBytes(password) ?? Buffer.from(password as string, "utf8");
  const salt = randomBytes(16).toString("base64url");
  const key = await derive(digest(bytes), salt);
  return `scrypt$${digestScheme}$${salt}$${key.toString("hex")}`;
}

/** Whether a stored value has the form of a hash verifyPassword can check. */
export function isPasswordHash(stored: unknown): boolean {
  if (typeof stored !== "string") return false;
  const parts = stored.split("$");
  if (parts.length === 4) return parts[0] === "scrypt" && parts[1] === digestScheme && /^[0-9a-f]+$/.test(parts[3]!) && parts[2] !== "";
  return parts.length === 3 && parts[0] === "scrypt" && parts[1] !== "" && /^[0-9a-f]+$/.test(parts[2]!);
}

/**
 * Checks a password against a hash made by hashPassword, in constant time, on the password's exact
 * bytes: a password that differs by one byte (a trailing NUL included) does not match. A string
 * with a lone surrogate never matches. For a hash of the older form (no digest step), whose key
 * cannot tell trailing NUL bytes apart, a password ending in a NUL byte never matches.
 */
export async function verifyPassword(password: string | Uint8Array, stored: unknown): Promise<boolean> {
  if (typeof stored !== "string") return false;
  const bytes = passwordBytes(password);
  if (bytes === undefined) return false;
  const parts = stored.split("$");
  let key: Promise<Buffer>;
  let hex: string | undefined;
  if (parts.length === 4 && parts[0] === "scrypt" && parts[1] === digestScheme && parts[2] && parts[3]) {
    hex = parts[3];
    key = derive(digest(bytes), parts[2]);
  } else if (parts.length === 3 && parts[0] === "scrypt" && parts[1] && parts[2]) {
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0) return false;
    hex = parts[2];
    key = derive(bytes, parts[1]);
  } else {
    return false;
  }
  const expected = Buffer.from(hex, "hex");
  const actual = await key;
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
