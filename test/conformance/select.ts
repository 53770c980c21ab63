import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { cloneJson, expandPointer, getAt, replaceAt } from "./json-pointer.js";
import { resolveTemplate } from "./templates.js";
import type { Variables } from "./templates.js";
import type { SelectSpec } from "./transcript.js";

// `select` narrows a response to what the scenario owns, because the server the goldens were
// recorded on was shared:
//   {"path": "/entries", "field": "name", "prefix": "gold_x_"}  array: keep matching, sort by field
//   {"path": "", "field": "id", "values": ["{{job}}"]}           array: keep, in the order of values
//   {"path": "", "keys_prefix": "gold_x_"}                       object: keep keys with the prefix
//   {"path": "", "keep_keys": ["systemStatus"]}                  object: keep the listed keys

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function fieldOf(item: JsonValue, field: string): JsonValue | undefined {
  return isObject(item) ? item[field] : undefined;
}

function selectArray(items: JsonValue[], spec: SelectSpec, field: string): JsonValue[] {
  const { prefix, values } = spec;
  if (values !== undefined) {
    const kept = items.filter((item) => values.includes(fieldOf(item, field) as JsonValue));
    const rank = (item: JsonValue) => values.indexOf(fieldOf(item, field) as JsonValue);
    return kept.sort((a, b) => rank(a) - rank(b));
  }
  const kept =
    prefix === undefined
      ? [...items]
      : items.filter((item) => {
          const value = fieldOf(item, field);
          return typeof value === "string" && value.startsWith(prefix);
        });
  const key = (item: JsonValue) => String(fieldOf(item, field));
  return kept.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function selectObject(object: JsonObject, spec: SelectSpec): JsonObject {
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (spec.keys_prefix !== undefined && !key.startsWith(spec.keys_prefix)) continue;
    if (spec.keep_keys !== undefined && !spec.keep_keys.includes(key)) continue;
    kept[key] = value;
  }
  return kept;
}

/** Applies a step's `select` (one or several, templates filled) to a copy of a response. */
export function applySelect(
  response: JsonValue,
  select: SelectSpec | SelectSpec[] | undefined,
  variables: Variables,
): JsonValue {
  if (select === undefined) return response;
  let document = cloneJson(response);
  for (const raw of Array.isArray(select) ? select : [select]) {
    const spec = resolveTemplate(raw as unknown as JsonValue, variables) as unknown as SelectSpec;
    for (const path of expandPointer(document, spec.path ?? "")) {
      const target = getAt(document, path);
      if (Array.isArray(target) && spec.field !== undefined) {
        document = replaceAt(document, path, selectArray(target, spec, spec.field));
      } else if (isObject(target)) {
        document = replaceAt(document, path, selectObject(target, spec));
      }
    }
  }
  return document;
}
