/**
 * CAST(x AS type) and CONVERT(type, x): AlaSQL 4.6.6's `stdfn.CONVERT`, with dates read and
 * written in UTC (as on a Harper running in UTC). Types AlaSQL does not know return x unchanged
 * (so CAST('1.5' AS REAL) stays the string "1.5").
 */
import { invoke } from "./js-semantics.js";

/** The parts of a date that CAST to DATE/DATETIME prints, AlaSQL's structuredDate(). */
interface DateParts {
  fullYear: number;
  year2: string;
  month: string;
  day: string;
  hours: string;
  minutes: string;
  seconds: string;
  millis: string;
}

const pad2 = (n: number): string => ("0" + n).slice(-2);

function dateParts(value: unknown): DateParts {
  let date: Date;
  if (/\d{8}/.test(value as string)) {
    const digits = (from: number, count: number): number => +(invoke(value, "substr", from, count) as string);
    date = new Date(Date.UTC(digits(0, 4), digits(4, 2) - 1, digits(6, 2)));
  } else {
    let d = value;
    if (typeof d === "string" && /^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}/.test(d)) d = d.replace(".", "-").replace(".", "-");
    date = new Date(d as string);
  }
  return {
    fullYear: date.getUTCFullYear(),
    year2: pad2(date.getUTCFullYear() - 1900),
    month: pad2(date.getUTCMonth() + 1),
    day: pad2(date.getUTCDate()),
    hours: pad2(date.getUTCHours()),
    minutes: pad2(date.getUTCMinutes()),
    seconds: pad2(date.getUTCSeconds()),
    millis: ("00" + date.getUTCMilliseconds()).slice(-3),
  };
}

/** CAST(x AS type) / CONVERT(type, x): type is AlaSQL's dbtypeid upper-cased (INT, INTEGER, FLOAT, NUMBER, STRING, VARCHAR, BOOLEAN, DATE, ...), as AlaSQL converts. */
export function castValue(value: unknown, dbType: string, precision?: number, scale?: number): unknown {
  const type = dbType.toUpperCase();
  switch (type) {
    case "DATE": {
      const p = dateParts(value);
      return `${p.year2}.${p.month}.${p.day}`;
    }
    case "DATETIME":
    case "DATETIME2": {
      const p = dateParts(value);
      return `${p.fullYear}.${p.month}.${p.day} ${p.hours}:${p.minutes}:${p.seconds}.${p.millis}`;
    }
    case "MONEY": {
      const m = Number(value);
      return (m | 0) + ((m * 100) % 100) / 100;
    }
    case "BOOLEAN":
      return !!value;
    case "INT":
    case "INTEGER":
    case "SMALLINT":
    case "BIGINT":
    case "SERIAL":
    case "SMALLSERIAL":
    case "BIGSERIAL":
      return (value as number) | 0;
    case "STRING":
    case "VARCHAR":
    case "NVARCHAR":
    case "CHARACTER VARIABLE":
      return precision ? String(value).substr(0, precision) : String(value);
    case "CHAR":
    case "CHARACTER":
    case "NCHAR":
      return ((value as string) + " ".repeat(precision as number)).substr(0, precision);
    case "NUMBER":
    case "FLOAT":
    case "DECIMAL":
    case "NUMERIC": {
      let m = Number(value);
      if (precision !== undefined) m = parseFloat(m.toPrecision(precision));
      if (scale !== undefined) m = parseFloat(m.toFixed(scale));
      return m;
    }
    case "JSON":
      if (typeof value === "object") return value;
      try {
        return JSON.parse(value as string);
      } catch {
        throw new Error("Cannot convert string to JSON");
      }
    default:
      return value;
  }
}
