import type { JsonValue } from "@bufbuild/protobuf";

/**
 * Harper's body parser (fastify's secure JSON parsing) refuses a body that holds a `__proto__`
 * key, or a `constructor` object with a `prototype` key, at any depth, with 400 `Object contains
 * forbidden prototype property`, before it looks at the operation. The same rule here, checked
 * only when the raw text can hold such a key ("proto" appears, or a \u escape could spell it), so
 * ordinary bodies pay two substring scans.
 */
export const forbiddenPrototypeMessage = "Object contains forbidden prototype property";

/** Whether a parsed body (from `text`) holds a key Harper's parser refuses. */
export function hasPrototypeKey(text: string, value: JsonValue): boolean {
  if (!text.includes("proto") && !text.includes("\\u")) return false;
  return poisoned(value);
}

function poisoned(value: JsonValue): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(poisoned);
  for (const key of Object.keys(value)) {
    const child = value[key] as JsonValue;
    if (key === "__proto__") return true;
    if (key === "constructor" && child !== null && typeof child === "object" && !Array.isArray(child) && Object.hasOwn(child, "prototype")) return true;
    if (poisoned(child)) return true;
  }
  return false;
}
