import { StorageError } from "./storage-error.js";

/**
 * Checks a database or table name against Harper's rules (spec databases-tables.md §0.2) before it
 * reaches the file system: 1 to 250 printable ASCII characters, no `/` or backtick. `field` is the
 * key named in the message ("database", "table").
 */
export function checkName(field: string, name: unknown): string {
  if (typeof name !== "string") throw new StorageError("INVALID", `'${field}' must be a string`);
  if (name === "") throw new StorageError("INVALID", `'${field}' is not allowed to be empty`);
  if (name.length > 250) {
    throw new StorageError("INVALID", `'${field}' length must be less than or equal to 250 characters long`);
  }
  if (!/^[\x20-\x7e]+$/.test(name) || /[/`]/.test(name)) {
    throw new StorageError("INVALID", `'${field}' names cannot include backticks or forward slashes`);
  }
  return name;
}
