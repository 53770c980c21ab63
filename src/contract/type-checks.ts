import { ScalarType } from "@bufbuild/protobuf";
import type { DescField, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { fieldMapping, isWellKnown } from "./field-mapping.js";
import type { KeyChecks } from "./field-mapping.js";

/**
 * Harper's JSON type checks of one field of a body, as the field's options declare them: the
 * messages for every key Harper checks (the key that wins, or each of `checked_keys`, with the
 * value Harper sees there after its copy of `database` into `schema`), in Harper's order. `null`
 * is left to mean "not set"; a number is fine under a key of `number_keys`.
 */
export function typeProblems(field: DescField, checks: KeyChecks, body: JsonObject, winner: string): readonly string[] {
  if (checks.checkedKeys.length === 0) {
    // The common case, once per field of every message of a body (a search's conditions too):
    // no allocation when the value fits.
    const value = body[winner] as JsonValue;
    if (value === null) return noProblems;
    const expected = expectedType(field);
    if (expected === undefined) return noProblems;
    const problem = typeProblem(expected, checks, winner, value);
    return problem === undefined ? noProblems : [problem];
  }
  const expected = expectedType(field);
  if (expected === undefined) return noProblems;
  const problems: string[] = [];
  for (const [key, value] of checkedValues(field, checks, body, winner)) {
    const problem = typeProblem(expected, checks, key, value);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/**
 * The value a field takes from the key that won, once checked: a number sent for a string under
 * a key of `number_keys` becomes its decimal string, as Harper reads numeric names.
 */
export function readValue(field: DescField, checks: KeyChecks, key: string, value: JsonValue): JsonValue {
  if (typeof value === "number" && checks.numberKeys.has(key) && expectedType(field) === "string") return String(value);
  return value;
}

const noProblems: readonly string[] = Object.freeze([]);

const expectedTypes = new WeakMap<DescField, string | null>();

/** The JSON type a field reads ("string", "number", "boolean", "array", "object"), if it has one. */
export function expectedType(field: DescField): string | undefined {
  let expected = expectedTypes.get(field);
  if (expected === undefined) {
    expected = jsonTypeOf(field) ?? null;
    expectedTypes.set(field, expected);
  }
  return expected ?? undefined;
}

function jsonTypeOf(field: DescField): string | undefined {
  switch (field.fieldKind) {
    case "list":
      return "array";
    case "map":
      return "object";
    case "enum":
      return undefined;
    case "message": {
      const name = field.message.typeName;
      const wrapped = wrapperJsonType[name];
      if (wrapped !== undefined) return wrapped;
      if (name === "google.protobuf.Value") return undefined;
      if (name === "google.protobuf.ListValue") return "array";
      if (isWellKnown(field.message) && name !== "google.protobuf.Struct") return undefined;
      return fieldMapping(field.message).unwrap ? undefined : "object";
    }
    case "scalar":
      switch (field.scalar) {
        case ScalarType.STRING:
        case ScalarType.BYTES:
          return "string";
        case ScalarType.BOOL:
          return "boolean";
        default:
          return "number";
      }
  }
}

/** The JSON type each well-known wrapper reads from. */
const wrapperJsonType: Record<string, string> = {
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "string",
  "google.protobuf.BoolValue": "boolean",
  "google.protobuf.DoubleValue": "number",
  "google.protobuf.FloatValue": "number",
  "google.protobuf.Int32Value": "number",
  "google.protobuf.UInt32Value": "number",
  "google.protobuf.Int64Value": "number",
  "google.protobuf.UInt64Value": "number",
};

/** The keys Harper checks for a field and the value it sees under each. */
function checkedValues(field: DescField, checks: KeyChecks, body: JsonObject, winner: string): Array<[string, JsonValue]> {
  if (checks.checkedKeys.length === 0) return [[winner, body[winner] as JsonValue]];
  // After Harper's copy every alias holds what was sent under the field's own name.
  const copied = checks.copiedToAliases && Object.hasOwn(body, field.name);
  const pairs: Array<[string, JsonValue]> = [];
  for (const key of checks.checkedKeys) {
    if (copied) pairs.push([key, body[field.name] as JsonValue]);
    else if (Object.hasOwn(body, key)) pairs.push([key, body[key] as JsonValue]);
  }
  return pairs;
}

function typeProblem(expected: string, checks: KeyChecks, key: string, value: JsonValue): string | undefined {
  if (value === null || fits(expected, value)) return undefined;
  const takesNumber = expected === "string" && checks.numberKeys.has(key);
  if (takesNumber && typeof value === "number") return undefined;
  if (checks.typeError !== undefined) {
    const capital = key.charAt(0).toUpperCase() + key.slice(1);
    return checks.typeError.replaceAll("{key}", key).replaceAll("{Key}", capital);
  }
  if (takesNumber) return `'${key}' must be one of [string, number]`;
  const article = expected === "array" || expected === "object" ? "an" : "a";
  return `'${key}' must be ${article} ${expected}`;
}

/** Whether a JSON value has the type a field reads; a numeric string counts as a number. */
function fits(expected: string, value: JsonValue): boolean {
  const actual = Array.isArray(value) ? "array" : typeof value;
  if (expected === actual) return true;
  return expected === "number" && actual === "string" && (value as string).trim() !== "" && !Number.isNaN(Number(value));
}
