import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ListValue, Struct, Value } from "@bufbuild/protobuf/wkt";

/**
 * google.protobuf.Value to and from plain values without protobuf-es' reflection, for answers
 * that carry whole result sets in a Value (sql). protobuf-es messages are plain objects tagged
 * with `$typeName`, so building them directly is several times faster than fromJson.
 */

/**
 * The Value of a plain value, as it prints in JSON: undefined properties and array holes as
 * JSON.stringify treats them, Infinity and NaN as null, Dates as ISO strings, bigints as numbers
 * when exact (else strings), byte arrays as base64.
 */
export function valueOfPlain(value: unknown): Value {
  switch (typeof value) {
    case "string":
      return { $typeName: "google.protobuf.Value", kind: { case: "stringValue", value } };
    case "number":
      return Number.isFinite(value) ? { $typeName: "google.protobuf.Value", kind: { case: "numberValue", value } } : nullValue();
    case "boolean":
      return { $typeName: "google.protobuf.Value", kind: { case: "boolValue", value } };
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? valueOfPlain(Number(value)) : valueOfPlain(value.toString());
    case "object": {
      if (value === null) return nullValue();
      if (Array.isArray(value)) return { $typeName: "google.protobuf.Value", kind: { case: "listValue", value: listOf(value) } };
      if (value instanceof Date) return valueOfPlain(value.toISOString());
      if (value instanceof Uint8Array) return valueOfPlain(Buffer.from(value).toString("base64"));
      return { $typeName: "google.protobuf.Value", kind: { case: "structValue", value: structOf(value as Record<string, unknown>) } };
    }
    default:
      return nullValue();
  }
}

function nullValue(): Value {
  return { $typeName: "google.protobuf.Value", kind: { case: "nullValue", value: 0 } };
}

function listOf(items: unknown[]): ListValue {
  const values: Value[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) values[i] = valueOfPlain(items[i]);
  return { $typeName: "google.protobuf.ListValue", values };
}

function structOf(object: Record<string, unknown>): Struct {
  const fields: Record<string, Value> = {};
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    fields[key] = valueOfPlain(item);
  }
  return { $typeName: "google.protobuf.Struct", fields };
}

/** The JSON of a Value (the inverse of valueOfPlain). */
export function plainOfValue(value: Value | undefined): JsonValue {
  const kind = value?.kind;
  switch (kind?.case) {
    case "stringValue":
    case "numberValue":
    case "boolValue":
      return kind.value;
    case "listValue":
      return kind.value.values.map(plainOfValue);
    case "structValue": {
      const out: JsonObject = {};
      const fields = kind.value.fields;
      for (const key of Object.keys(fields)) out[key] = plainOfValue(fields[key]);
      return out;
    }
    default:
      return null;
  }
}
