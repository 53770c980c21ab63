import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** The hash function recorded in hdb_user.hash_function for passwords hashed here. */
export const passwordHashFunction = "scrypt";

const keyLength = 64;
const cost = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, cost, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Hashes a password with scrypt and a random salt: `scrypt$<salt>$<hex key>`. Slow on purpose;
 * callers cache successful verifications.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16).toString("base64url");
  const key = await derive(password, salt);
  return `scrypt$${salt}$${key.toString("hex")}`;
}

/** Checks a password against a hash made by hashPassword, in constant time. */
export async function verifyPassword(password: string, stored: unknown): Promise<boolean> {
  if (typeof stored !== "string") return false;
  const [scheme, salt, hex] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hex) return false;
  const expected = Buffer.from(hex, "hex");
  const actual = await derive(password, salt);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
