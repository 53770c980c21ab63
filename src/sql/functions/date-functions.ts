/**
 * Date functions. Harper 4.7 registers its own moment.js versions of NOW, DATE, DATE_FORMAT,
 * DATE_ADD, DATE_SUB, DATE_DIFF, EXTRACT, OFFSET_UTC, CURRENT_DATE, CURRENT_TIME and
 * GET_SERVER_TIME; they are reproduced call for call (`moment(x).utc()...`), so inputs parse as
 * moment parses them (ISO 8601, RFC 2822, then `new Date(string)`; numbers are epoch ms; a missing
 * argument means "now", null gives "Invalid date"). YEAR, MONTH, DAY, HOUR, MINUTE, SECOND and
 * DAYOFWEEK are AlaSQL's `new Date(x)` getters, read in UTC like a Harper running in UTC.
 */
import moment from "moment";
import type { FunctionTable, ScalarFunction } from "./index.js";
import { invoke, jsAdd } from "./js-semantics.js";

// Harper turns moment's deprecation warning for non-ISO strings off, and so do we.
moment.suppressDeprecationWarnings = true;

/** Harper's output format for DATE, OFFSET_UTC and GET_SERVER_TIME. */
const ISO_WITH_OFFSET = "YYYY-MM-DDTHH:mm:ss.SSSZZ";

/** moment(x).utc(), the start of every Harper date function. */
function utc(value: unknown): moment.Moment {
  return moment(value as moment.MomentInput).utc();
}

const now: ScalarFunction = () => moment().utc().valueOf();

/** Harper's DATE_DIFF(a, b[, unit]): `a - b` in ms, or in fractional units when a unit is given. */
const dateDiff: ScalarFunction = ([a, b, unit]) => {
  const from = utc(a);
  const to = utc(b);
  return unit ? from.diff(to, unit as moment.unitOfTime.Diff, true) : from.diff(to);
};

/** EXTRACT parts and their zero-padded moment formats. */
const EXTRACT_FORMATS: Readonly<Record<string, string>> = {
  year: "YYYY",
  month: "MM",
  day: "DD",
  hour: "HH",
  minute: "mm",
  second: "ss",
  millisecond: "SSS",
};

/** AlaSQL's newDate(): `new Date(x)`, with "YYYY.MM.DD hh:mm:ss" strings read as "YYYY-MM-DD hh:mm:ss". */
function alaDate(value: unknown): Date {
  let d = value;
  if (typeof d === "string" && /^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}/.test(d)) d = d.replace(".", "-").replace(".", "-");
  return new Date(d as string);
}

/** A getter of AlaSQL's date functions, in UTC. */
function part(read: (date: Date) => number): ScalarFunction {
  return ([value]) => read(alaDate(value));
}

const dayOfMonth = part((d) => d.getUTCDate());
const dayOfWeek = part((d) => d.getUTCDay());

/** AlaSQL's period lengths in ms, used by DATEADD and INTERVAL. */
const PERIODS: Readonly<Record<string, number>> = {
  year: 1000 * 3600 * 24 * 365,
  quarter: (1000 * 3600 * 24 * 365) / 4,
  month: 1000 * 3600 * 24 * 30,
  week: 1000 * 3600 * 24 * 7,
  day: 1000 * 3600 * 24,
  dayofyear: 1000 * 3600 * 24,
  weekday: 1000 * 3600 * 24,
  hour: 1000 * 3600,
  minute: 1000 * 60,
  second: 1000,
  millisecond: 1,
  microsecond: 0.001,
};

function periodLength(period: string): number {
  return Object.hasOwn(PERIODS, period) ? PERIODS[period]! : NaN;
}

/** Date functions keyed by SQL name. */
export const dateFunctions: FunctionTable = {
  /** Epoch milliseconds (an integer). */
  NOW: now,
  GETDATE: now,
  CURRENT_TIMESTAMP: now,
  /** "YYYY-MM-DD" in UTC. */
  CURRENT_DATE: () => moment().utc().format("YYYY-MM-DD"),
  /** "HH:mm:ss.SSS" in UTC. */
  CURRENT_TIME: () => moment().utc().format("HH:mm:ss.SSS"),
  /** Now in the server's own time zone, "YYYY-MM-DDTHH:mm:ss.SSSZZ". */
  GET_SERVER_TIME: () => moment().format(ISO_WITH_OFFSET),
  /** DATE(x): "YYYY-MM-DDTHH:mm:ss.SSS+0000". */
  DATE: ([value]) => utc(value).format(ISO_WITH_OFFSET),
  /** DATE_FORMAT(x, format) with moment tokens, in UTC. */
  DATE_FORMAT: ([value, format]) => utc(value).format(format as string),
  /** DATE_ADD(x, amount, unit) in epoch ms; units as moment takes them (days/d, hours/h, ...). */
  DATE_ADD: ([value, amount, unit]) =>
    utc(value)
      .add(amount as moment.DurationInputArg1, unit as moment.DurationInputArg2)
      .valueOf(),
  DATE_SUB: ([value, amount, unit]) =>
    utc(value)
      .subtract(amount as moment.DurationInputArg1, unit as moment.DurationInputArg2)
      .valueOf(),
  DATE_DIFF: dateDiff,
  DATEDIFF: dateDiff,
  /** EXTRACT(x, part): a zero-padded string ("2021", "01", "464"); undefined for an unknown part. */
  EXTRACT: ([value, datePart]) => {
    const key = invoke(datePart, "toLowerCase") as string;
    return Object.hasOwn(EXTRACT_FORMATS, key) ? utc(value).format(EXTRACT_FORMATS[key]) : undefined;
  },
  /** OFFSET_UTC(x, offset): x shown at that offset; |offset| < 16 is hours, otherwise minutes. */
  OFFSET_UTC: ([value, offset]) =>
    utc(value)
      .utcOffset(offset as number | string)
      .format(ISO_WITH_OFFSET),
  YEAR: part((d) => d.getUTCFullYear()),
  MONTH: part((d) => d.getUTCMonth() + 1),
  DAY: dayOfMonth,
  DAYOFMONTH: dayOfMonth,
  HOUR: part((d) => d.getUTCHours()),
  MINUTE: part((d) => d.getUTCMinutes()),
  SECOND: part((d) => d.getUTCSeconds()),
  /** 0 = Sunday. */
  DAYOFWEEK: dayOfWeek,
  WEEKDAY: dayOfWeek,
  /** AlaSQL's CURDATE(): today's midnight as a Date (UTC midnight here). */
  CURDATE: () => {
    const date = new Date();
    date.setUTCHours(0, 0, 0, 0);
    return date;
  },
  /** AlaSQL's DATEADD(period, n, x): a Date; year/quarter/month move the calendar, others add fixed lengths. */
  DATEADD: ([period, interval, value]) => {
    const date = alaDate(value);
    const unit = (invoke(period, "toLowerCase") as string);
    switch (unit) {
      case "year":
        date.setUTCFullYear(jsAdd(date.getUTCFullYear(), interval) as number);
        return date;
      case "quarter":
        date.setUTCMonth(date.getUTCMonth() + (interval as number) * 3);
        return date;
      case "month":
        date.setUTCMonth(jsAdd(date.getUTCMonth(), interval) as number);
        return date;
      default:
        return new Date(date.getTime() + (interval as number) * periodLength(unit));
    }
  },
  /** AlaSQL's ADDDATE(x, ms) / SUBDATE(x, ms): a Date. */
  ADDDATE: ([value, interval]) => new Date(jsAdd(alaDate(value).getTime(), interval) as number),
  SUBDATE: ([value, interval]) => new Date(alaDate(value).getTime() - (interval as number)),
  /** AlaSQL's INTERVAL(n, period): n periods in ms. */
  INTERVAL: ([interval, period]) => (interval as number) * periodLength(invoke(period, "toLowerCase") as string),
};
