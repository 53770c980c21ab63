import type { JsonObject } from "@bufbuild/protobuf";
import type { StorageRecord, TableInfo } from "../storage/index.js";
import { invalid } from "./storage-errors.js";

/**
 * How search results are projected (spec nosql.md §4): `undefined` keeps the raw record, `"*"`
 * first lists every table attribute (null-filled) on dynamic tables, a list keeps exactly those
 * keys in request order (duplicates collapse, missing ones null).
 */
export type Projection = (record: StorageRecord) => JsonObject;

/**
 * Builds the projection of `get_attributes` for a table, checking that every name is an
 * attribute of the table (`unknown attribute 'a'`, several: `unknown attribute 'a, b and c'`).
 * `*` and names starting with `$` are not checked; neither are system tables.
 *
 * A `*` after the first name is an attribute literally named `*` for search_by_id; with
 * `starAnywhere` (search_by_value, search_by_conditions, as in Harper 4.7) it stands for every
 * property the record holds, at its place: `["s", "*"]` answers `s` first, then the record's
 * other properties.
 */
export function createProjection(
  info: TableInfo,
  getAttributes: readonly unknown[] | undefined,
  readable?: ReadonlySet<string>,
  starAnywhere = false,
): Projection {
  if (readable) {
    // A restricted caller: raw records and `*` keep only the attributes it may read.
    if (getAttributes === undefined) {
      return (record) => pick(record, Object.keys(record).filter((name) => readable.has(name)));
    }
    if (String(getAttributes[0]) === "*") {
      const visible = info.attributes.map((a) => a.name).filter((name) => readable.has(name));
      return (record) => pick(record, visible);
    }
  }
  if (getAttributes === undefined) return (record) => jsonSafe(record) as JsonObject;
  const names = [...new Set(getAttributes.map((name) => String(name)))];
  checkAttributes(info, names.filter((name, i) => !(name === "*" && i === 0)));
  if (names[0] === "*") {
    if (info.schemaDefined) return (record) => jsonSafe(record) as JsonObject;
    const all = info.attributes.map((a) => a.name);
    return (record) => pick(record, all);
  }
  if (starAnywhere && names.includes("*")) return (record) => pickWithStar(record, names, readable);
  return (record) => pick(record, names);
}

/** `pick`, where `*` stands for every (readable) property of the record not named before it. */
function pickWithStar(record: StorageRecord, names: readonly string[], readable: ReadonlySet<string> | undefined): JsonObject {
  const out: JsonObject = {};
  for (const name of names) {
    if (name !== "*") {
      out[name] = jsonSafe(record[name] ?? null) as JsonObject[string];
      continue;
    }
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (value !== undefined && (readable === undefined || readable.has(key))) out[key] = jsonSafe(value) as JsonObject[string];
    }
  }
  return out;
}

/** Throws `unknown attribute '...'` for names that are not attributes of the table. */
export function checkAttributes(info: TableInfo, names: readonly string[]): void {
  if (info.database === "system") return;
  const known = new Set(info.attributes.map((a) => a.name));
  const unknown = names.filter((name) => name !== "*" && !name.startsWith("$") && !known.has(name));
  if (unknown.length) throw invalid(`unknown attribute '${joinNames(unknown)}'`);
}

function pick(record: StorageRecord, names: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const name of names) out[name] = jsonSafe(record[name] ?? null) as JsonObject[string];
  return out;
}

/**
 * A stored value as JSON: Dates become ISO strings (Harper prints Date columns so), bigints
 * numbers when exact else strings, byte arrays base64, undefined properties dropped.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === null || typeof value !== "object") {
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : jsonSafe(item)));
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const safe = jsonSafe(item);
    if (safe !== item || item === undefined) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (item === undefined) delete copy[key];
      else copy[key] = safe;
    }
  }
  return copy ?? value;
}

/** `a`, `a and b`, `a, b and c`. */
function joinNames(names: readonly string[]): string {
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
