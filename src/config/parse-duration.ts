import { ConfigError } from "./config-error.js";

/** Seconds per unit word accepted in a duration, as Harper's token settings (`"1d"`, `"30m"`) use them. */
const unitSeconds: Record<string, number> = {
  ms: 0.001, msec: 0.001, msecs: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
  y: 31557600, yr: 31557600, yrs: 31557600, year: 31557600, years: 31557600,
};

const durationPattern = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * Converts a duration as Harper's config writes it into seconds: a number is already seconds;
 * a string is a positive number followed by a unit (`"45s"`, `"30m"`, `"2h"`, `"1d"`, `"1w"`,
 * `"1y"`, also spelled out, `"2 days"`); a string of digits alone is seconds. Throws a
 * ConfigError for anything else, or for a duration that is not positive. `key`, when given, is
 * the config key the value came from and is named in the message.
 */
export function parseDuration(value: string | number, key?: string): number {
  const seconds = durationSeconds(value);
  if (seconds !== undefined && seconds > 0) return seconds;
  const what = key ?? "duration";
  return fail(
    `Invalid configuration: ${what} must be a positive duration like "1d", "30m", "2h", "45s" or a number of seconds (got ${JSON.stringify(value)})`,
    key,
  );
}

/** True when parseDuration would accept the value. */
export function isDuration(value: unknown): value is string | number {
  if (typeof value !== "string" && typeof value !== "number") return false;
  const seconds = durationSeconds(value);
  return seconds !== undefined && seconds > 0;
}

function durationSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = durationPattern.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? "").toLowerCase();
  if (unit === "") return amount;
  const factor = unitSeconds[unit];
  return factor === undefined ? undefined : amount * factor;
}

function fail(message: string, key: string | undefined): never {
  throw new ConfigError(message, key);
}
