import moment from "moment";

/**
 * An ISO-8601 date or date-time as Harper's moment-based checks read it (`2021-01-25`,
 * `...T22:05:27.464+0000`, `...Z`), in epoch milliseconds; undefined when it is not one.
 */
export function isoTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = moment(value, moment.ISO_8601, true);
  return parsed.isValid() ? parsed.valueOf() : undefined;
}
