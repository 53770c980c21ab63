/**
 * Small helpers that keep plain JavaScript semantics on `unknown` values, so the SQL functions
 * behave exactly like the compiled JavaScript of AlaSQL and Harper (coercions, and the TypeErrors
 * thrown when a method is called on null or on a value of the wrong type).
 */

/** `value[key]`, throwing like JavaScript when value is null or undefined. */
export function member(value: unknown, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

/** `value.method(...args)`, throwing like JavaScript when value is null/undefined or has no such method. */
export function invoke(value: unknown, method: string, ...args: unknown[]): unknown {
  return (value as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
}

/** JavaScript's binary `+` (number addition or string concatenation). */
export function jsAdd(a: unknown, b: unknown): unknown {
  return (a as number) + (b as number);
}

/** The key JavaScript uses for `object[value]` (how AlaSQL remembers DISTINCT values). */
export function propertyKey(value: unknown): string {
  return String(value);
}
