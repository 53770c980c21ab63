import type { JsonValue } from "@bufbuild/protobuf";

// RFC 6901 JSON pointers as the transcripts use them, plus one extension: a `*` segment matches
// every key of an object or every index of an array (volatile paths such as `/*/db_size`).

/** A pointer that is neither empty nor starts with `/`. */
export class PointerError extends Error {
  override name = "PointerError";
}

/** The unescaped segments of a pointer; `""` is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PointerError(`Not a JSON pointer: '${pointer}'`);
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The pointer of a list of segments (the inverse of {@link parsePointer}). */
export function formatPointer(segments: readonly string[]): string {
  return segments.map((segment) => "/" + segment.replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

function child(node: JsonValue | undefined, segment: string): JsonValue | undefined {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    return node[Number(segment)];
  }
  if (node !== null && typeof node === "object" && Object.hasOwn(node, segment)) return node[segment];
  return undefined;
}

/** The value a concrete pointer (or segment list) addresses, `undefined` when it is absent. */
export function getAt(document: JsonValue | undefined, pointer: string | readonly string[]): JsonValue | undefined {
  const segments = typeof pointer === "string" ? parsePointer(pointer) : pointer;
  let node = document;
  for (const segment of segments) {
    node = child(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

/** The concrete segment lists a pointer with `*` wildcards addresses in a document, where present. */
export function expandPointer(document: JsonValue | undefined, pointer: string): string[][] {
  const pattern = parsePointer(pointer);
  const found: string[][] = [];
  const walk = (node: JsonValue | undefined, depth: number, path: string[]): void => {
    if (node === undefined) return;
    if (depth === pattern.length) {
      found.push(path);
      return;
    }
    const segment = pattern[depth]!;
    if (segment !== "*") {
      walk(child(node, segment), depth + 1, [...path, segment]);
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, depth + 1, [...path, String(index)]));
    } else if (node !== null && typeof node === "object") {
      for (const key of Object.keys(node)) walk(node[key], depth + 1, [...path, key]);
    }
  };
  walk(document, 0, []);
  return found;
}

/**
 * Replaces the value at a concrete, present path and returns the document (a new root when the
 * path is empty). The document is changed in place: callers work on their own copies.
 */
export function replaceAt(document: JsonValue, segments: readonly string[], value: JsonValue): JsonValue {
  if (segments.length === 0) return value;
  const parent = getAt(document, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (parent !== null && typeof parent === "object") parent[last] = value;
  return document;
}

/** A deep copy of a JSON document. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}
