import type { JsonValue } from "@bufbuild/protobuf";
import { cloneJson, expandPointer, formatPointer, getAt, replaceAt } from "./json-pointer.js";
import type { Step } from "./transcript.js";

// Judging one answer against its golden. `exact` (the default): mask volatile paths in both
// documents, sort the `unordered` arrays, then deep-equal ignoring object key order. `shape`: the
// JSON types match and every golden key is present, down to `shape_depth`. `status`: the status
// only. The status is always compared strictly; an expected difference passes the status it
// expects instead of the recorded one.

/** One place where an answer differs from the golden. */
export interface Difference {
  /** JSON pointer into the body, or `(status)`, `(request)`... for what is not body. */
  pointer: string;
  expected: JsonValue | undefined;
  actual: JsonValue | undefined;
}

/** What the server answered. */
export interface Answer {
  status: number;
  body: JsonValue;
}

const volatileMark = "<volatile>";
const absent = "<absent>";

function kind(value: JsonValue | undefined): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** JSON with object keys sorted: equal documents have equal text whatever their key order. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function maskVolatile(document: JsonValue, pointers: readonly string[]): JsonValue {
  let masked = cloneJson(document);
  for (const pointer of pointers) {
    for (const path of expandPointer(masked, pointer)) masked = replaceAt(masked, path, volatileMark);
  }
  return masked;
}

function sortUnordered(document: JsonValue, pointers: readonly string[]): JsonValue {
  let sorted = document;
  for (const pointer of pointers) {
    for (const path of expandPointer(sorted, pointer)) {
      const items = getAt(sorted, path);
      if (!Array.isArray(items)) continue;
      const keyed = items.map((item) => [canonicalJson(item), item] as const);
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      sorted = replaceAt(sorted, path, keyed.map(([, item]) => item));
    }
  }
  return sorted;
}

function diff(expected: JsonValue, actual: JsonValue, path: string[], out: Difference[]): void {
  const kinds = [kind(expected), kind(actual)];
  if (kinds[0] !== kinds[1]) {
    out.push({ pointer: formatPointer(path), expected, actual });
  } else if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push({ pointer: formatPointer(path), expected: `array(${expected.length})`, actual: `array(${actual.length})` });
    }
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      diff(expected[i]!, actual[i]!, [...path, String(i)], out);
    }
  } else if (kinds[0] === "object") {
    const want = expected as Record<string, JsonValue>;
    const got = actual as Record<string, JsonValue>;
    for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
      const where = [...path, key];
      if (!Object.hasOwn(want, key)) out.push({ pointer: formatPointer(where), expected: absent, actual: got[key] });
      else if (!Object.hasOwn(got, key)) out.push({ pointer: formatPointer(where), expected: want[key], actual: absent });
      else diff(want[key]!, got[key]!, where, out);
    }
  } else if (expected !== actual) {
    out.push({ pointer: formatPointer(path), expected, actual });
  }
}

function shapeDiff(expected: JsonValue, actual: JsonValue, depth: number, path: string[], out: Difference[]): void {
  if (kind(expected) !== kind(actual)) {
    out.push({ pointer: formatPointer(path), expected: `<${kind(expected)}>`, actual: `<${kind(actual)}>` });
    return;
  }
  if (depth <= 0) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length === 0) return;
    actual.forEach((item, i) => shapeDiff(expected[0]!, item, depth - 1, [...path, String(i)], out));
  } else if (kind(expected) === "object") {
    const got = actual as Record<string, JsonValue>;
    for (const [key, value] of Object.entries(expected as Record<string, JsonValue>)) {
      if (!Object.hasOwn(got, key)) out.push({ pointer: formatPointer([...path, key]), expected: `<${kind(value)}>`, actual: absent });
      else shapeDiff(value, got[key]!, depth - 1, [...path, key], out);
    }
  }
}

/**
 * The differences between an answer and a step's golden (empty: the step passes). `status`
 * replaces the recorded status (an expected difference where Harper answered 500).
 */
export function compareAnswer(step: Step, answer: Answer, status: number = step.status): Difference[] {
  const differences: Difference[] = [];
  if (answer.status !== status) differences.push({ pointer: "(status)", expected: status, actual: answer.status });
  const mode = step.compare ?? "exact";
  if (mode === "status") return differences;
  if (mode === "shape") {
    shapeDiff(step.response, answer.body, step.shape_depth ?? Infinity, [], differences);
    return differences;
  }
  const volatile = step.volatile ?? [];
  const unordered = step.unordered ?? [];
  const expected = sortUnordered(maskVolatile(step.response, volatile), unordered);
  const actual = sortUnordered(maskVolatile(answer.body, volatile), unordered);
  diff(expected, actual, [], differences);
  return differences;
}
