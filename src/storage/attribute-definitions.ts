import { StorageError } from "./errors.js";
import { createdTimeAttribute, updatedTimeAttribute } from "./system-tables.js";
import type { AttributeInfo, ElementsDefinition } from "./types.js";
import { validateAttributeName } from "./validate-name.js";

/**
 * Harper's scalar attribute types (spec databases-tables §6). Any other type name is an object
 * type; `Any` and an absent type are untyped.
 */
export const scalarTypes: ReadonlySet<string> = new Set([
  "String",
  "Int",
  "Long",
  "Float",
  "BigInt",
  "Boolean",
  "Date",
  "Bytes",
  "Blob",
  "ID",
  "Any",
  "array",
]);

/** The attribute list of a dynamic table: the primary key and the two (indexed) timestamps. */
export function dynamicAttributes(primaryKey: string): AttributeInfo[] {
  return [
    { name: primaryKey, indexed: false, isPrimaryKey: true },
    { name: createdTimeAttribute, indexed: true },
    { name: updatedTimeAttribute, indexed: true },
  ];
}

/**
 * Turns createTable's attribute definitions into catalog entries: names validated, each declared
 * once, primary key first (never indexed). The primary key is the entry marked `isPrimaryKey`,
 * else the one named `primaryKey`; a list without it is refused (Harper would create a table
 * without a primary key, spec databases-tables §6). Throws StorageError INVALID.
 */
export function declaredAttributes(list: unknown, primaryKey: string): { primaryKey: string; attributes: AttributeInfo[] } {
  if (!Array.isArray(list)) throw invalid("'attributes' must be an array");
  const parsed: Array<AttributeInfo & { marked: boolean }> = [];
  const seen = new Set<string>();
  for (const item of list as unknown[]) {
    const definition = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const name = validateAttributeName(definition["name"]);
    if (seen.has(name)) throw invalid(`attribute '${name}' is declared twice`);
    seen.add(name);
    parsed.push({ ...attributeOf(name, definition), marked: definition["isPrimaryKey"] === true });
  }
  const key = parsed.find((attribute) => attribute.marked) ?? parsed.find((attribute) => attribute.name === primaryKey);
  if (!key) throw invalid(`primary key '${primaryKey}' is not one of the table's attributes`);
  const strip = ({ marked: _marked, ...attribute }: AttributeInfo & { marked: boolean }): AttributeInfo => attribute;
  return {
    primaryKey: key.name,
    attributes: [
      { ...strip(key), indexed: false, isPrimaryKey: true },
      ...parsed.filter((attribute) => attribute !== key).map(strip),
    ],
  };
}

/** Checks createTable's `expiration`: seconds, a positive number or numeric string. */
export function parseExpiration(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) {
    throw invalid("'expiration' must be a positive number of seconds");
  }
  return seconds;
}

function attributeOf(name: string, definition: Record<string, unknown>): AttributeInfo {
  const type = optionalString(definition["type"], "type");
  const nullable = optionalBoolean(definition["nullable"], "nullable");
  const elements = elementsOf(definition["elements"]);
  return {
    name,
    indexed: optionalBoolean(definition["indexed"], "indexed") ?? true,
    ...(type === undefined ? {} : { type }),
    ...(nullable === undefined ? {} : { nullable }),
    ...(elements === undefined ? {} : { elements }),
  };
}

function elementsOf(value: unknown): ElementsDefinition | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { type: value };
  if (typeof value !== "object" || Array.isArray(value)) throw invalid("'elements' must be a type name or an object");
  const definition = value as Record<string, unknown>;
  const type = optionalString(definition["type"], "type");
  const nullable = optionalBoolean(definition["nullable"], "nullable");
  const elements = elementsOf(definition["elements"]);
  return {
    ...(type === undefined ? {} : { type }),
    ...(nullable === undefined ? {} : { nullable }),
    ...(elements === undefined ? {} : { elements }),
  };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`'${field}' must be a string`);
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(`'${field}' must be a boolean`);
  return value;
}

function invalid(message: string): StorageError {
  return new StorageError("INVALID", message);
}
