import { fromJson, toJson, ScalarType } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonValue, MessageShape } from "@bufbuild/protobuf";
import type { Value } from "@bufbuild/protobuf/wkt";
import { fieldMapping, isWellKnown, keyChecksOf, messageOf } from "./field-mapping.js";
import { expectedType, readValue, typeProblems } from "./type-checks.js";
import { plainOfValue } from "./json-value.js";

/**
 * A Harper JSON body that does not fit its request message: values of the wrong JSON type (the
 * message lists each, as Harper does), or one protobuf cannot read. `key` is the key of the first
 * mistake as the client sent it (an alias stays an alias).
 */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    message: string,
    /** The JSON key as sent, when the error concerns one field. */
    readonly key?: string,
    /** What the field takes: "string", "boolean", "number", "array" or "object". */
    readonly expected?: string,
  ) {
    super(message);
  }
}

/** Type guard for BodyError that checks the name, not the prototype. */
export function isBodyError(error: unknown): error is BodyError {
  return error instanceof Error && error.name === "BodyError";
}

/** Keys of a Harper body that are envelope, not operation input. */
const envelopeKeys = new Set(["operation"]);

/**
 * Parses a Harper JSON request body into the request message of its operation: the `operation`
 * key is dropped, field aliases are renamed to the field's own name (which wins when both are
 * sent), a message with an `unwrap` field is read from that field's bare value, unknown keys are
 * ignored as Harper ignores them. Throws a BodyError for a value of the wrong JSON type.
 */
export function requestFromHarperJson<Desc extends DescMessage>(
  schema: Desc,
  body: JsonObject,
  limits?: Readonly<Record<string, number>>,
): MessageShape<Desc> {
  const input: JsonObject = {};
  for (const key of Object.keys(body)) {
    if (!envelopeKeys.has(key)) input[key] = body[key] as JsonValue;
  }
  if (limits) checkCountLimits(schema, input, limits);
  return messageFromHarperJson(schema, input);
}

/**
 * Refuses a body whose list fields hold more items than their `count_limit` allows (the items of
 * the same field in its items counted too), before anything is converted: counting stops at the
 * limit, so a body of 200,000 search conditions costs a count of 1,001.
 */
function checkCountLimits(schema: DescMessage, body: JsonObject, limits: Readonly<Record<string, number>>): void {
  const mapping = fieldMapping(schema);
  for (const [name, { key, error }] of mapping.countLimits) {
    const limit = limits[key];
    const field = mapping.byKey.get(name);
    if (limit === undefined || field === undefined) continue;
    const keys = [name, ...[...mapping.aliases].filter(([, canonical]) => canonical === name).map(([alias]) => alias)];
    let count = 0;
    const pending: unknown[] = [body];
    while (pending.length > 0) {
      const holder = pending.pop();
      if (!isObject(holder as JsonValue)) continue;
      const list = keys.map((k) => (holder as JsonObject)[k]).find(Array.isArray);
      if (!list) continue;
      count += list.length;
      if (count > limit) throw new BodyError(error.replaceAll("{limit}", String(limit)), name, "array");
      for (const item of list) pending.push(item);
    }
  }
}

/**
 * Reads any message from its Harper JSON form, the inverse of responseToHarperJson: aliases
 * applied, `unwrap` messages read from their bare value, unknown keys ignored. Throws a BodyError
 * for a value of the wrong JSON type.
 */
export function messageFromHarperJson<Desc extends DescMessage>(
  schema: Desc,
  json: JsonValue,
): MessageShape<Desc> {
  const normalised = normalise(schema, json);
  try {
    return fromJson(schema, normalised, { ignoreUnknownFields: true });
  } catch (error) {
    throw new BodyError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Renders a response message as the JSON body Harper answers: proto field names, empty arrays
 * and zero values printed (except fields marked `omit_empty`), and a message with an `unwrap`
 * field rendered as that field's value alone (a bare array, string, map or value).
 */
export function responseToHarperJson<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): JsonValue {
  // Fast path: a bare array of records (google.protobuf.Struct) is already plain JSON in
  // protobuf-es, so the search answers skip toJson's walk over every record.
  const unwrap = fieldMapping(schema).unwrap;
  if (unwrap?.fieldKind === "list" && unwrap.listKind === "message" && unwrap.message.typeName === "google.protobuf.Struct") {
    return (message as Record<string, unknown>)[unwrap.localName] as JsonValue;
  }
  // A message that is one unwrapped google.protobuf.Value (sql's answer) prints as that value.
  if (unwrap?.fieldKind === "message" && unwrap.message.typeName === "google.protobuf.Value" && schema.fields.length === 1) {
    return plainOfValue((message as Record<string, unknown>)[unwrap.localName] as Value | undefined);
  }
  const json = toJson(schema, message, { useProtoFieldName: true, alwaysEmitImplicit: true });
  return shape(schema, json);
}

/**
 * Applies aliases and unwrap to a JSON value read for `message`, and checks JSON types as Harper
 * does (type-checks.ts): every mistake of the body is reported, in the order the fields are
 * declared, joined as Harper joins them (the message's `type_error_separator`).
 */
function normalise(message: DescMessage, value: JsonValue): JsonValue {
  const mapping = fieldMapping(message);
  if (mapping.unwrap) value = { [mapping.unwrap.name]: value };
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  // One pass over the keys sent (the hot path: every condition of a search is a message); the
  // mistakes are put in declaration order only when there are some.
  let problems: Array<{ field: DescField; error: BodyError }> | undefined;
  for (const key of Object.keys(value)) {
    if (key === "__proto__") continue; // never a field; assigning it would set a prototype
    const field = mapping.byKey.get(key);
    if (!field) {
      out[key] = value[key] as JsonValue;
      continue;
    }
    const canonical = mapping.aliases.get(key);
    if (canonical !== undefined && Object.hasOwn(value, canonical)) continue; // the field's own name wins
    const checks = keyChecksOf(mapping, field);
    const found = typeProblems(field, checks, value, key);
    if (found.length && checks.ignoreWrongType) continue;
    if (found.length) {
      problems ??= [];
      for (const text of found) problems.push({ field, error: new BodyError(text, key, expectedType(field)) });
      continue;
    }
    try {
      out[field.name] = normaliseField(field, key, readValue(field, checks, key, value[key] as JsonValue));
    } catch (error) {
      if (!isBodyError(error)) throw error;
      (problems ??= []).push({ field, error });
    }
  }
  if (problems) {
    // Array.prototype.sort is stable: several mistakes of one field keep their order.
    problems.sort((a, b) => message.fields.indexOf(a.field) - message.fields.indexOf(b.field));
    const first = problems[0]!.error;
    throw new BodyError(problems.map((p) => p.error.message).join(mapping.typeErrorSeparator), first.key, first.expected);
  }
  return out;
}

function normaliseField(field: DescField, key: string, value: JsonValue): JsonValue {
  const inner = messageOf(field);
  if (!inner || isWellKnown(inner) || value === null) return value;
  switch (field.fieldKind) {
    case "list":
      if (!Array.isArray(value)) return value;
      return value.map((item, index) => {
        // An element of a list of our messages (a search condition) must be an object; protobuf's
        // own message would name the internal message type.
        if (!isObject(item)) throw new BodyError(`'${key}[${index}]' must be of type object`, `${key}[${index}]`, "object");
        return normalise(inner, item);
      });
    case "map":
      if (!isObject(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(inner, v)]));
    default:
      return normalise(inner, value);
  }
}

/** Applies omit_empty and unwrap to the protobuf JSON of `message`. */
function shape(message: DescMessage, json: JsonValue): JsonValue {
  const mapping = fieldMapping(message);
  if (!isObject(json)) return json;
  for (const field of mapping.nested) {
    const value = json[field.name];
    if (value === undefined || value === null) continue;
    const inner = messageOf(field)!;
    if (field.fieldKind === "list" && Array.isArray(value)) {
      json[field.name] = value.map((item) => shape(inner, item));
    } else if (field.fieldKind === "map" && isObject(value)) {
      for (const k of Object.keys(value)) value[k] = shape(inner, value[k] as JsonValue);
    } else {
      json[field.name] = shape(inner, value);
    }
  }
  for (const field of mapping.omitEmpty) {
    if (isEmpty(json[field.name])) delete json[field.name];
  }
  if (mapping.unwrap) return json[mapping.unwrap.name] ?? emptyOf(mapping.unwrap);
  return json;
}

function emptyOf(field: DescField): JsonValue {
  if (field.fieldKind === "list") return [];
  if (field.fieldKind === "map") return {};
  if (field.fieldKind === "scalar" && field.scalar === ScalarType.STRING) return "";
  return null;
}

function isEmpty(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
