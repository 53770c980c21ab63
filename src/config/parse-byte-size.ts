import { invalidValue } from "./config-error.js";

const unitBytes: Record<string, number> = {
  "": 1, b: 1,
  k: 1024, kb: 1024,
  m: 1024 ** 2, mb: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3,
};

const sizePattern = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * Converts a size as Harper's config writes it into bytes: a number is bytes; a string is a
 * positive number with an optional binary unit, `K`, `M` or `G` (`"64M"`, `"1G"`, `"512KB"`).
 * Throws a ConfigError naming `key` for anything else.
 */
export function parseByteSize(value: unknown, key: string): number {
  const bytes = sizeBytes(value);
  if (bytes === undefined || bytes <= 0) {
    throw invalidValue(key, 'a size in bytes or a number with a unit K, M or G like "64M"', value);
  }
  return Math.floor(bytes);
}

function sizeBytes(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = sizePattern.exec(value.trim());
  if (!match) return undefined;
  const factor = unitBytes[(match[2] ?? "").toLowerCase()];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
