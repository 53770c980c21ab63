import type { JsonValue } from "@bufbuild/protobuf";

// The transcripts' placeholders: `{{var}}`, `{{$now}}`, `{{var+1000}}`, `{{$now-5000}}`,
// `{{iso:var}}` (ISO-8601), `{{date:var}}` (YYYY-MM-DD) and `{{str:var}}`. A string that is exactly
// one placeholder takes the value's own type; inside a longer string the value is spliced in as
// text. After each step, bound strings of 8+ characters are written back as `{{name}}`.

/** The variables of one scenario run: bound from responses, `let`, the clock and `$dir`. */
export type Variables = Record<string, JsonValue>;

/** A placeholder names a variable that no earlier step has bound. */
export class TemplateError extends Error {
  override name = "TemplateError";
}

const placeholder = /\{\{\s*(?:(iso|date|str):\s*)?(\$?[A-Za-z_][\w.$]*)\s*(?:([+-])\s*(\d+)\s*)?\}\}/g;
const wholePlaceholder = new RegExp(`^${placeholder.source}$`);

function evaluate(
  format: string | undefined,
  name: string,
  sign: string | undefined,
  offset: string | undefined,
  variables: Variables,
): JsonValue {
  let value: JsonValue;
  if (name === "$now") value = Date.now();
  else if (Object.hasOwn(variables, name)) value = variables[name]!;
  else throw new TemplateError(`No value for {{${name}}}: the step that binds it did not bind it`);
  if (sign !== undefined) value = Number(value) + (sign === "-" ? -1 : 1) * Number(offset);
  switch (format) {
    case "iso":
      return new Date(Number(value)).toISOString();
    case "date":
      return new Date(Number(value)).toISOString().slice(0, 10);
    case "str":
      return String(value);
    default:
      return value;
  }
}

/** Fills every placeholder of a string, object or array (a new value; the input is not changed). */
export function resolveTemplate(value: JsonValue, variables: Variables): JsonValue {
  if (typeof value === "string") {
    const whole = wholePlaceholder.exec(value);
    if (whole) return evaluate(whole[1], whole[2]!, whole[3], whole[4], variables);
    return value.replace(placeholder, (_match, format, name, sign, offset) => {
      const filled = evaluate(format, name, sign, offset, variables);
      return typeof filled === "string" ? filled : JSON.stringify(filled);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplate(item, variables));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTemplate(item, variables)]));
  }
  return value;
}

/**
 * Writes every bound string variable of 8+ characters (job ids, tokens, uuids, `$dir`) back as
 * `{{name}}` wherever it occurs in a response, longest values first, so goldens such as
 * `"Starting job with id {{job_insert}}"` compare exactly.
 */
export function normaliseVariables(value: JsonValue, variables: Variables): JsonValue {
  const bound = Object.entries(variables)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].length >= 8)
    .sort((a, b) => b[1].length - a[1].length);
  if (bound.length === 0) return value;
  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === "string") {
      let text = node;
      for (const [name, boundValue] of bound) text = text.replaceAll(boundValue, `{{${name}}}`);
      return text;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    }
    return node;
  };
  return walk(value);
}
