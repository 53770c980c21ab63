import { StorageError } from "./errors.js";

/** Longest database, table or primary key name, in characters (spec databases-tables §0.2). */
export const maxNameLength = 250;

/** Longest attribute name, in UTF-8 bytes (spec databases-tables §0.2, nosql §1.4). */
export const maxAttributeNameBytes = 250;

/**
 * Checks a database, table or primary key name before it reaches the file system or an lmdb store
 * name: a string of 1..250 printable ASCII characters (0x20-0x7E) without `/` or backtick, and
 * not `.` or `..` (a path's own and parent folder; Harper 4.7.29 accepts them, and its
 * `drop_database` of `..` removes the folder above its databases). `field` is the name Harper's
 * message uses (`'database'`, `'table'`, `'primary_key'`). Throws StorageError INVALID with
 * Harper's joi text, for example `'database' names cannot include backticks or forward slashes`
 * (also for non-ASCII), or ours in the same style: `'table' cannot be '..'`.
 */
export function validateName(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalid(`'${field}' must be a string`);
  if (value.length === 0) throw invalid(`'${field}' is not allowed to be empty`);
  // A name becomes a key of plain JSON objects (describe_all, records): `__proto__` would turn
  // into a prototype instead of a key.
  if (value === "__proto__") throw invalid(`'${field}' cannot be '__proto__'`);
  // "." and ".." name the folder itself and its parent wherever a name becomes a path.
  if (value === "." || value === "..") throw invalid(`'${field}' cannot be '${value}'`);
  if (value.length > maxNameLength) {
    throw invalid(`'${field}' length must be less than or equal to ${maxNameLength} characters long`);
  }
  // Printable ASCII only: space (0x20) to tilde (0x7E), except "/" and "`".
  if (!/^[\x20-\x2e\x30-\x5f\x61-\x7e]+$/.test(value)) {
    throw invalid(`'${field}' names cannot include backticks or forward slashes`);
  }
  return value;
}

/**
 * Checks an attribute name: a non-empty string of at most 250 UTF-8 bytes without `/` or backtick
 * (any other character, spaces and non-ASCII included, is allowed). Throws StorageError INVALID
 * with Harper's text.
 */
export function validateAttributeName(value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw invalid("Attribute name is required");
  if (value === "__proto__") throw invalid("Invalid attribute name: '__proto__'");
  if (value.includes("/") || value.includes("`")) {
    throw invalid("Attribute names cannot include backticks or forward slashes");
  }
  if (Buffer.byteLength(value, "utf8") > maxAttributeNameBytes) {
    throw invalid(
      `transaction aborted due to attribute name ${value} being too long. ` +
        `Attribute names cannot be longer than ${maxAttributeNameBytes} bytes.`,
    );
  }
  return value;
}

function invalid(message: string): StorageError {
  return new StorageError("INVALID", message);
}
