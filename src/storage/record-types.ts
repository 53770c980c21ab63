import { scalarTypes } from "./attribute-definitions.js";
import type { AttributeInfo, ElementsDefinition, StorageRecord, TableInfo } from "./types.js";

/**
 * Type checks of schema-defined tables (spec nosql §2.2 step 6). Each failure is one message in
 * Harper's words (`Value "3" in property id must be an integer (from -2147483648 to 2147483647)`);
 * the caller joins them with ". ". Values are rendered JSON-style.
 */

const intRange = "(from -2147483648 to 2147483647)";
const longRange = "(from -9007199254740992 to 9007199254740992)";

/**
 * What the write path needs to know of a table's attributes, computed once per TableInfo (infos
 * are immutable and replaced on schema changes), so that a write never walks the attribute list.
 */
interface Profile {
  byName: Map<string, AttributeInfo>;
  /** Attributes declared `nullable: false`. */
  required: AttributeInfo[];
  /** Whether any attribute has a type or nullable flag to check. */
  typed: boolean;
}

const profiles = new WeakMap<TableInfo, Profile>();

function profileOf(info: TableInfo): Profile {
  let profile = profiles.get(info);
  if (!profile) {
    profile = {
      byName: new Map(info.attributes.map((attribute) => [attribute.name, attribute])),
      required: info.attributes.filter((attribute) => attribute.nullable === false),
      typed: info.attributes.some((a) => (a.type !== undefined && a.type !== "Any") || a.nullable === false),
    };
    profiles.set(info, profile);
  }
  return profile;
}

/** The declared attribute of this name, if any. */
export function attributeOf(info: TableInfo, name: string): AttributeInfo | undefined {
  return profileOf(info).byName.get(name);
}

/**
 * Checks and converts (in place) the declared properties of one record copy: Date, BigInt and
 * Bytes accept strings and numbers and are converted; null is accepted unless `nullable: false`.
 * Undeclared properties are left alone. Messages are appended to `errors`.
 */
export function checkRecordTypes(info: TableInfo, record: StorageRecord, errors: string[]): void {
  for (const name of Object.keys(record)) {
    const attribute = attributeOf(info, name);
    if (!attribute) continue;
    const value = record[name];
    if (value === null) {
      if (attribute.nullable === false) errors.push(requiredMessage(name));
      continue;
    }
    record[name] = checkValue(value, attribute, name, errors);
  }
}

/**
 * Appends a message for each `nullable: false` attribute a new record lacks (the primary key and
 * the timestamps are filled in by the storage and are not checked).
 */
export function checkRequired(info: TableInfo, record: StorageRecord, skip: ReadonlySet<string>, errors: string[]): void {
  for (const attribute of profileOf(info).required) {
    if (skip.has(attribute.name)) continue;
    const value = record[attribute.name];
    if (value === undefined || value === null) errors.push(requiredMessage(attribute.name));
  }
}

/** Whether any attribute of the table has a declared type or a nullable flag worth checking. */
export function hasTypeChecks(info: TableInfo): boolean {
  return profileOf(info).typed;
}

/** Whether any attribute of the table is declared `nullable: false`. */
export function hasRequired(info: TableInfo): boolean {
  return profileOf(info).required.length > 0;
}

function checkValue(value: unknown, definition: ElementsDefinition, name: string, errors: string[]): unknown {
  const type = definition.type;
  if (type === undefined || type === "Any" || type === "Blob") return value;
  const fail = (expected: string): unknown => {
    errors.push(`Value ${render(value)} in property ${name} must be ${expected}`);
    return value;
  };
  switch (type) {
    case "String":
      return typeof value === "string" ? value : fail("a string");
    case "Int":
      return isInteger(value, 2147483647, -2147483648) ? value : fail(`an integer ${intRange}`);
    case "Long":
      return isInteger(value, 9007199254740992, -9007199254740992) ? value : fail(`an integer ${longRange}`);
    case "Float":
      return typeof value === "number" ? value : fail("a number");
    case "Boolean":
      return typeof value === "boolean" ? value : fail("a boolean");
    case "ID":
      return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))
        ? value
        : fail("a string, or an array of strings");
    case "Date":
      return toDate(value) ?? fail("a Date");
    case "BigInt":
      return toBigInt(value) ?? fail("a bigint");
    case "Bytes":
      if (value instanceof Uint8Array) return value;
      return typeof value === "string" ? Buffer.from(value, "utf8") : fail("a Buffer");
    case "array":
      if (!Array.isArray(value)) return fail("an Array");
      return definition.elements ? checkElements(value, definition.elements, name, errors) : value;
    default:
      if (scalarTypes.has(type)) return value;
      // An object type (Harper's `<object name>`): any plain object.
      return typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) ? value : fail("an object");
  }
}

function checkElements(values: unknown[], elements: ElementsDefinition, name: string, errors: string[]): unknown[] {
  return values.map((element, index) => {
    const elementName = `${name}[${index}]`;
    if (element === null || element === undefined) {
      if (elements.nullable === false) errors.push(requiredMessage(elementName));
      return element;
    }
    return checkValue(element, elements, elementName, errors);
  });
}

function isInteger(value: unknown, max: number, min: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function toDate(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === "string" || typeof value === "number" ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

function requiredMessage(name: string): string {
  return `Property ${name} is required (and not does not allow null values)`;
}

function render(value: unknown): string {
  if (typeof value === "bigint") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // circular structures cannot come from JSON; keep a readable message anyway
  }
}
