/**
 * Unit tests of the SQL function library: scalar functions, CAST/CONVERT and aggregates, with the
 * expected values of spec sql.md §4.6, §5 and §9 and of the transcripts sql-functions.json and
 * sql-select.json (HarperDB 4.7.29).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { aggregateNames, createAccumulator } from "../src/sql/aggregates.js";
import { castValue, scalarFunctions } from "../src/sql/functions/index.js";

/** Calls a scalar function by its SQL name. */
function call(name: string, ...args: unknown[]): unknown {
  const fn = scalarFunctions.get(name);
  assert.ok(fn, `${name} is registered`);
  return fn(args);
}

/** Runs an aggregate over values, as the executor feeds one group. */
function aggregate(name: string, values: unknown[], distinct = false): unknown {
  const acc = createAccumulator(name, distinct);
  assert.ok(acc, `${name} is an aggregate`);
  for (const value of values) acc.add(value);
  return acc.result();
}

// spec §9's dev.dog and the transcripts' meetups.
const dogs = [
  { id: 1, dog_name: "Penny", owner_name: "Kyle", age: 5, weight_lbs: 35 },
  { id: 2, dog_name: "Harper", owner_name: "Stephen", age: 5, weight_lbs: 55 },
  { id: 3, dog_name: "Alby", owner_name: "Kaylan", age: 5, weight_lbs: 84 },
  { id: 4, dog_name: "Billy", owner_name: "Zach", age: 4, weight_lbs: 60 },
  { id: 5, dog_name: "Rose Merry", owner_name: "Zach", age: 8, weight_lbs: 15 },
  { id: 6, dog_name: "Kato", owner_name: "Kyle", age: 6, weight_lbs: 32 },
  { id: 7, dog_name: "Simon", owner_name: "Fred", age: 3, weight_lbs: 35 },
  { id: 8, dog_name: "Gemma", owner_name: "Stephen", age: 5, weight_lbs: 55 },
  { id: 9, dog_name: "Yeti", owner_name: "Jaxon", age: 5, weight_lbs: 55 },
  { id: 10, dog_name: "Monkey", owner_name: "Aron", age: 7, weight_lbs: 35 },
  { id: 11, dog_name: "Bode", owner_name: "Margo", age: 8, weight_lbs: 75 },
  { id: 12, dog_name: "Tucker", owner_name: "David", age: 2, weight_lbs: 60 },
  { id: 13, dog_name: "Jagger", owner_name: "Margo", age: 7, weight_lbs: 55 },
];
const column = <K extends keyof (typeof dogs)[number]>(key: K) => dogs.map((d) => d[key]);
const meetups = [
  { id: 1, title: "Rust night", city: "Berlin", starts: "2021-03-14T18:30:00Z", seats: 40, fee: 12.345 },
  { id: 2, title: "Go meetup", city: "Madrid", starts: "2022-11-02T09:05:00Z", seats: 25, fee: 0 },
  { id: 3, title: "SQL deep dive", city: "Berlin", starts: "2020-12-31T23:59:59Z", seats: 120, fee: 7.5 },
  { id: 4, title: "Intro to CRDTs", city: "Lisbon", starts: "2023-06-15T12:00:00Z", seats: null, fee: 3 },
];
const STAMP = "2021-01-25T23:05:27.464Z";

describe("string functions", () => {
  test("LEN and LENGTH count characters", () => {
    assert.equal(call("LEN", "Rose Merry"), 10);
    assert.equal(call("LENGTH", "Rose Merry"), 10);
    assert.deepEqual(meetups.map((m) => call("LEN", m.title)), [10, 9, 13, 14]);
  });

  test("UPPER and LOWER", () => {
    assert.equal(call("UPPER", "Penny"), "PENNY");
    assert.equal(call("LOWER", "Rose Merry"), "rose merry");
    assert.equal(call("LOWER", "NO"), "no");
  });

  test("string functions pass undefined through but print or throw on null, as AlaSQL compiles them", () => {
    assert.equal(call("UPPER", undefined), undefined);
    assert.equal(call("LEN", undefined), undefined);
    assert.equal(call("UPPER", null), "NULL");
    assert.throws(() => call("LEN", null), TypeError);
    assert.throws(() => call("TRIM", 5), TypeError);
  });

  test("SUBSTRING is 1-based", () => {
    assert.equal(call("SUBSTRING", "Rose Merry", 1, 3), "Ros");
    assert.deepEqual(meetups.map((m) => call("SUBSTRING", m.title, 1, 4)), ["Rust", "Go m", "SQL ", "Intr"]);
    assert.equal(call("SUBSTRING", "Rose Merry", 6), "Merry");
  });

  test("REPLACE replaces every occurrence", () => {
    assert.equal(call("REPLACE", "Rose Merry", "e", "E"), "RosE MErry");
    assert.deepEqual(meetups.map((m) => call("REPLACE", m.title, " ", "_")), ["Rust_night", "Go_meetup", "SQL_deep_dive", "Intro_to_CRDTs"]);
  });

  test("TRIM, LTRIM and RTRIM", () => {
    assert.equal(call("TRIM", "  x  "), "x");
    assert.equal(call("LTRIM", "  x  "), "x  ");
    assert.equal(call("RTRIM", "  x  "), "  x");
  });

  test("INSTR is 1-based and 0 when absent", () => {
    assert.equal(call("INSTR", "Rose Merry", "e"), 4);
    assert.equal(call("INSTR", "Rose Merry", "z"), 0);
  });

  test("CONCAT joins its arguments, null as empty", () => {
    assert.equal(call("CONCAT", "Penny", "-", "Kyle"), "Penny-Kyle");
    assert.equal(call("CONCAT", "Oslo", ", ", "NO"), "Oslo, NO");
    assert.equal(call("CONCAT", "a", null, undefined, 1), "a1");
  });

  test("CONCAT_WS joins with a separator and skips nulls", () => {
    assert.equal(call("CONCAT_WS", "-", "Rose Merry", "Zach"), "Rose Merry-Zach");
    assert.equal(call("CONCAT_WS", "/", "Berlin", "Rust night"), "Berlin/Rust night");
    assert.equal(call("CONCAT_WS", "/", "a", null, "b"), "a/b");
  });
});

describe("math functions", () => {
  test("spec §9 math example", () => {
    assert.deepEqual(
      [call("ABS", -5), call("CEIL", 4.2), call("FLOOR", 4.8), call("ROUND", 4.567, 2), call("SQRT", 16), call("EXP", 0), call("POWER", 2, 10)],
      [5, 5, 4, 4.57, 4, 1, 1024],
    );
  });

  test("ROUND, CEIL, FLOOR and ABS on stored numbers", () => {
    assert.deepEqual(meetups.slice(0, 3).map((m) => [call("ROUND", m.fee, 1), call("CEIL", m.fee), call("FLOOR", m.fee), call("ABS", 0 - m.seats!)]), [
      [12.3, 13, 12, 40],
      [0, 0, 0, 25],
      [7.5, 8, 7, 120],
    ]);
    assert.equal(call("ROUND", 4.5), 5);
    assert.equal(call("CEILING", 4.2), 5);
  });

  test("math functions coerce like JavaScript's Math", () => {
    assert.equal(call("ABS", null), 0);
    assert.ok(Number.isNaN(call("ABS", undefined)));
    assert.equal(call("ABS", "-3"), 3);
  });

  test("RANDOM is a float in [0,1) and RANDOM(n) an integer below n", () => {
    const r = call("RANDOM") as number;
    assert.ok(r >= 0 && r < 1);
    const n = call("RANDOM", 10) as number;
    assert.ok(Number.isInteger(n) && n >= 0 && n < 10);
  });

  test("MAX and MIN with several arguments pick the greatest and least", () => {
    assert.equal(call("MAX", 3, 9, 4), 9);
    assert.equal(call("MIN", 3, 9, 4), 3);
    assert.equal(call("GREATEST", "b", "a"), "b");
    assert.equal(call("LEAST", 2, 1), 1);
  });

  test("LOG and LOG10 are not Harper functions (the executor hands the first argument back)", () => {
    assert.equal(scalarFunctions.has("LOG"), false);
    assert.equal(scalarFunctions.has("LOG10"), false);
  });
});

describe("conditional functions", () => {
  test("IF and IIF choose by truthiness", () => {
    assert.deepEqual(meetups.map((m) => call("IF", (m.seats ?? 0) > 30, "big", "small")), ["big", "small", "big", "small"]);
    assert.deepEqual(meetups.map((m) => call("IIF", m.fee === 0, "free", "paid")), ["paid", "free", "paid", "paid"]);
    assert.deepEqual([call("IF", 5 > 5, "old", "young"), call("IF", 8 > 5, "old", "young")], ["young", "old"]);
  });

  test("IIF with other than three arguments is an error", () => {
    assert.throws(() => call("IIF", true, 1), /Number of arguments of IFF is not equals to 3/);
  });

  test("IFNULL replaces null and undefined", () => {
    assert.equal(call("IFNULL", null, "none"), "none");
    assert.deepEqual(meetups.map((m) => call("IFNULL", m.seats, -1)), [40, 25, 120, -1]);
    assert.equal(call("IFNULL", undefined, -1), -1);
    assert.equal(call("IFNULL", 0, -1), 0);
  });

  test("NULLIF gives undefined when equal", () => {
    assert.equal(call("NULLIF", 1, 1), undefined);
    assert.equal(call("NULLIF", 1, 2), 1);
    assert.deepEqual(meetups.map((m) => call("NULLIF", m.fee, 0)), [12.345, undefined, 7.5, 3]);
  });

  test("COALESCE returns the first value that is not null, undefined or NaN", () => {
    assert.equal(call("COALESCE", null, undefined, NaN, "x", "y"), "x");
    assert.equal(call("COALESCE", 0, 1), 0);
    assert.equal(call("COALESCE", null, undefined), undefined);
  });
});

describe("CAST and CONVERT", () => {
  test("spec §9 cast example", () => {
    assert.deepEqual([castValue("12", "INT"), castValue(12, "STRING"), castValue("1.5", "FLOAT")], [12, "12", 1.5]);
    assert.equal(castValue("12", "int"), 12);
  });

  test("integer types truncate like `| 0`", () => {
    assert.equal(castValue("1.9", "INTEGER"), 1);
    assert.equal(castValue("abc", "INT"), 0);
  });

  test("string types print any value and honour a size", () => {
    assert.equal(castValue(null, "VARCHAR"), "null");
    assert.equal(castValue("abcdef", "VARCHAR", 3), "abc");
  });

  test("numeric types honour precision and scale", () => {
    assert.equal(castValue("3.14159", "NUMBER", 6, 2), 3.14);
    assert.equal(castValue("123456", "DECIMAL", 3), 123000);
  });

  test("BOOLEAN, JSON and unknown types", () => {
    assert.equal(castValue("", "BOOLEAN"), false);
    assert.equal(castValue("x", "BOOLEAN"), true);
    assert.deepEqual(castValue('{"a":1}', "JSON"), { a: 1 });
    assert.throws(() => castValue("{", "JSON"), /Cannot convert string to JSON/);
    assert.equal(castValue("1.5", "REAL"), "1.5");
  });

  test("DATE and DATETIME print AlaSQL's dotted forms", () => {
    assert.equal(castValue(STAMP, "DATE"), "21.01.25");
    assert.equal(castValue(STAMP, "DATETIME"), "2021.01.25 23:05:27.464");
    assert.equal(castValue("20210125", "DATE"), "21.01.25");
  });
});

describe("date functions", () => {
  test("DATE formats in UTC with milliseconds and +0000", () => {
    assert.equal(call("DATE", STAMP), "2021-01-25T23:05:27.464+0000");
    assert.equal(call("DATE", "2024-02-29T10:11:12Z"), "2024-02-29T10:11:12.000+0000");
  });

  test("DATE reads epoch milliseconds, fractional ones included", () => {
    assert.equal(call("DATE", 1611615927464), "2021-01-25T23:05:27.464+0000");
    assert.equal(call("DATE", 1611615927464.9802), "2021-01-25T23:05:27.464+0000");
  });

  test("DATE reads RFC 2822 and JavaScript date strings", () => {
    assert.equal(call("DATE", "Mon, 25 Jan 2021 23:05:27 GMT"), "2021-01-25T23:05:27.000+0000");
    assert.equal(call("DATE", "Mon Jan 25 2021 23:05:27 GMT+0000"), "2021-01-25T23:05:27.000+0000");
  });

  test("DATE of null is moment's Invalid date", () => {
    assert.equal(call("DATE", null), "Invalid date");
  });

  test("DATE_FORMAT uses moment tokens in UTC", () => {
    assert.equal(call("DATE_FORMAT", STAMP, "YYYY/MM/DD HH:mm"), "2021/01/25 23:05");
    assert.deepEqual(
      meetups.map((m) => call("DATE_FORMAT", m.starts, "YYYY-MM-DD HH:mm")),
      ["2021-03-14 18:30", "2022-11-02 09:05", "2020-12-31 23:59", "2023-06-15 12:00"],
    );
  });

  test("DATE_ADD and DATE_SUB answer epoch milliseconds", () => {
    assert.equal(call("DATE_ADD", STAMP, 1, "days"), 1611702327464);
    assert.equal(call("DATE_SUB", STAMP, 1, "h"), 1611612327464);
    assert.equal(call("DATE_ADD", meetups[3]!.starts, 1, "days"), 1686916800000);
    assert.equal(call("DATE_SUB", meetups[3]!.starts, 2, "hours"), 1686823200000);
  });

  test("DATE_DIFF and DATEDIFF answer milliseconds or fractional units", () => {
    assert.equal(call("DATE_DIFF", "2021-01-26T00:00:00Z", "2021-01-25T00:00:00Z"), 86400000);
    assert.equal(call("DATE_DIFF", "2021-01-26T00:00:00Z", "2021-01-25T00:00:00Z", "hours"), 24);
    assert.equal(call("DATE_DIFF", "2023-06-16T12:00:00Z", meetups[3]!.starts, "days"), 1);
    assert.equal(call("DATEDIFF", "2021-01-25T12:00:00Z", "2021-01-25T00:00:00Z", "days"), 0.5);
  });

  test("EXTRACT answers zero-padded strings", () => {
    assert.deepEqual(
      ["year", "month", "day", "hour", "minute", "second", "millisecond"].map((p) => call("EXTRACT", STAMP, p)),
      ["2021", "01", "25", "23", "05", "27", "464"],
    );
    assert.deepEqual(meetups.map((m) => call("EXTRACT", m.starts, "minute")), ["30", "05", "59", "00"]);
    assert.equal(call("EXTRACT", STAMP, "YEAR"), "2021");
    assert.equal(call("EXTRACT", STAMP, "week"), undefined);
  });

  test("YEAR, MONTH, DAY, HOUR, MINUTE, SECOND and DAYOFWEEK answer numbers", () => {
    assert.deepEqual(
      ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "DAYOFWEEK"].map((name) => call(name, STAMP)),
      [2021, 1, 25, 23, 5, 27, 1],
    );
    assert.deepEqual(
      meetups.map((m) => [call("YEAR", m.starts), call("MONTH", m.starts), call("DAY", m.starts), call("HOUR", m.starts)]),
      [
        [2021, 3, 14, 18],
        [2022, 11, 2, 9],
        [2020, 12, 31, 23],
        [2023, 6, 15, 12],
      ],
    );
    assert.equal(call("YEAR", 1611615927464), 2021);
  });

  test("OFFSET_UTC takes hours below 16 and minutes otherwise", () => {
    assert.equal(call("OFFSET_UTC", STAMP, 2), "2021-01-26T01:05:27.464+0200");
    assert.equal(call("OFFSET_UTC", STAMP, 120), "2021-01-26T01:05:27.464+0200");
  });

  test("NOW, GETDATE and CURRENT_TIMESTAMP answer integer epoch milliseconds", () => {
    for (const name of ["NOW", "GETDATE", "CURRENT_TIMESTAMP"]) {
      const before = Date.now();
      const value = call(name) as number;
      assert.ok(Number.isInteger(value) && value >= before && value <= Date.now(), name);
    }
  });

  test("CURRENT_DATE, CURRENT_TIME and GET_SERVER_TIME formats", () => {
    const today = new Date().toISOString().slice(0, 10);
    const date = call("CURRENT_DATE");
    assert.ok(date === today || (date as string) > today, "today in UTC");
    assert.match(call("CURRENT_DATE") as string, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(call("CURRENT_TIME") as string, /^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    assert.match(call("GET_SERVER_TIME") as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/);
  });
});

describe("JSON functions", () => {
  const cast1 = [
    { name: "Actor A", role: "x" },
    { name: "Actor B", role: "y" },
  ];
  const cast2 = [{ name: "Actor C", role: "z" }];

  test("SEARCH_JSON answers an array for several matches and a scalar for one", () => {
    assert.deepEqual(call("SEARCH_JSON", "name", cast1), ["Actor A", "Actor B"]);
    assert.equal(call("SEARCH_JSON", "name", cast2), "Actor C");
  });

  test("SEARCH_JSON evaluates JSONata functions and predicates", () => {
    assert.equal(call("SEARCH_JSON", "$count($)", cast1), 2);
    assert.deepEqual([call("SEARCH_JSON", "$count($)", ["ana", "bo"]), call("SEARCH_JSON", "$count($)", ["cy"])], [2, 1]);
    assert.equal(call("SEARCH_JSON", '"Actor A" in name', cast1), true);
    assert.equal(call("SEARCH_JSON", '"Actor A" in name', cast2), false);
    assert.equal(call("SEARCH_JSON", "nothing", cast1), undefined);
  });

  test("SEARCH_JSON with an empty or non-string expression is an error", () => {
    for (const expression of ["", 5, null, undefined]) {
      assert.throws(() => call("SEARCH_JSON", expression, cast1), { message: "search json expression must be a non-empty string" });
    }
  });

  test("SEARCH_JSON turns JSONata's syntax errors into Errors", () => {
    assert.throws(() => call("SEARCH_JSON", "(", cast1), Error);
  });

  test("DISTINCT_ARRAY drops deep-equal duplicates", () => {
    assert.deepEqual(call("DISTINCT_ARRAY", [1, 1, 2, 1]), [1, 2]);
    assert.deepEqual(call("DISTINCT_ARRAY", [{ a: 1 }, { a: 1 }, { a: 2 }]), [{ a: 1 }, { a: 2 }]);
    assert.equal(call("DISTINCT_ARRAY", "x"), "x");
  });
});

// Expected geo values were computed by calling @turf 6.5.0 (which Harper 4.7 wraps) directly.
describe("geo functions", () => {
  const denver = "[-104.979127,39.761563]";
  const washington = "[-77.035248,38.889475]";
  const square = { type: "Polygon", coordinates: [[[-105, 39], [-104, 39], [-104, 40], [-105, 40], [-105, 39]]] };

  test("geoDistance in miles (spec example) and kilometers by default", () => {
    assert.equal(call("GEODISTANCE", denver, washington, "miles"), 1488.6913067538915);
    assert.equal(call("GEODISTANCE", denver, washington), 2395.816422376535);
    assert.equal(call("GEODISTANCE", denver, washington, "meters"), 2395816.4223765344);
    assert.equal(call("GEODISTANCE", denver, washington, "nauticalmiles"), 1293.6373770931611);
    assert.equal(call("GEODISTANCE", denver, washington, "degrees"), 21.520920030330426);
  });

  test("geoNear compares the distance with a limit", () => {
    assert.equal(call("GEONEAR", denver, washington, 1500, "miles"), true);
    assert.equal(call("GEONEAR", denver, washington, 1400, "miles"), false);
    assert.equal(call("GEONEAR", null, washington, 1400), false);
    assert.throws(() => call("GEONEAR", denver, washington), /distance is required/);
    assert.throws(() => call("GEONEAR", denver, washington, "far"), /distance must be a number/);
  });

  test("geoNear measures in the units given, kilometers by default", () => {
    assert.equal(call("GEONEAR", denver, washington, 2396), true);
    assert.equal(call("GEONEAR", denver, washington, 2395), false);
    assert.equal(call("GEONEAR", denver, washington, 2395817, "meters"), true);
    assert.equal(call("GEONEAR", denver, washington, 2395816, "meters"), false);
    assert.equal(call("GEONEAR", denver, washington, "1489", "miles"), true);
    assert.equal(call("GEONEAR", denver, washington, 1e9, "parsecs"), false);
  });

  test("geoLength sums the segments of a line", () => {
    assert.equal(call("GEOLENGTH", { type: "LineString", coordinates: [JSON.parse(denver), JSON.parse(washington)] }), 2395.816422376535);
  });

  test("geoLength of a MultiLineString in miles and of a polygon's rings", () => {
    const lines = { type: "MultiLineString", coordinates: [[[0, 0], [1, 1]], [[5, 5], [6, 7], [8, 8]]] };
    assert.equal(call("GEOLENGTH", JSON.stringify(lines), "miles"), 405.47680086908196);
    assert.equal(call("GEOLENGTH", square), 393.9844602173063);
  });

  test("geoArea of a polygon in square meters", () => {
    assert.equal(call("GEOAREA", JSON.stringify(square)), 9561872873.846067);
  });

  test("geoArea of a MultiPolygon subtracts holes; collections add up per geometry as turf does", () => {
    const holed = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]];
    assert.equal(call("GEOAREA", { type: "MultiPolygon", coordinates: [square.coordinates, holed] }), 1230102894014.6497);
    const unit = (x: number): number[][][] => [[[x, x], [x + 1, x], [x + 1, x + 1], [x, x + 1], [x, x]]];
    const collection = {
      type: "GeometryCollection",
      geometries: [
        { type: "Polygon", coordinates: unit(0) },
        { type: "MultiPolygon", coordinates: [unit(10), unit(20)] },
      ],
    };
    // turf sums a MultiPolygon on its own before adding it: summing polygon by polygon ends in ...546550
    assert.equal(call("GEOAREA", collection), 36182890248.546555);
  });

  test("geoCircle is a closed 64-step polygon feature", () => {
    const circle = call("GEOCIRCLE", denver, 10) as { type: string; properties: unknown; geometry: { type: string; coordinates: number[][][] } };
    assert.equal(circle.type, "Feature");
    assert.deepEqual(circle.properties, {});
    assert.equal(circle.geometry.type, "Polygon");
    const ring = circle.geometry.coordinates[0]!;
    assert.equal(ring.length, 65);
    assert.deepEqual(ring[0], ring[64]);
    assert.deepEqual(ring[16], [-105.09611736205893, 39.76150427590395]);
  });

  test("geoCircle takes units and keeps a center feature's properties", () => {
    const center = { type: "Feature", properties: { name: "HQ" }, geometry: { type: "Point", coordinates: JSON.parse(denver) } };
    const circle = call("GEOCIRCLE", JSON.stringify(center), 5, "miles") as { properties: unknown; geometry: { coordinates: number[][][] } };
    assert.deepEqual(circle.properties, { name: "HQ" });
    const ring = circle.geometry.coordinates[0]!;
    assert.equal(ring.length, 65);
    assert.deepEqual(ring[0], [-104.97912699999999, 39.8339287915719]);
    assert.deepEqual(ring[16], [-105.07326588748442, 39.76152497631389]);
    assert.deepEqual(ring[32], [-104.97912699999999, 39.6891972084281]);
    assert.deepEqual(ring[48], [-104.88498811251556, 39.76152497631389]);
  });

  test("geoConvert builds a GeoJSON feature", () => {
    assert.deepEqual(call("GEOCONVERT", denver, "point", { name: "HQ" }), {
      type: "Feature",
      properties: { name: "HQ" },
      geometry: { type: "Point", coordinates: [-104.979127, 39.761563] },
    });
    assert.throws(() => call("GEOCONVERT", denver, "circle"), /geoType of circle is invalid please use one of the following types: point,lineString,multiLineString,multiPoint,multiPolygon,polygon/);
    assert.throws(() => call("GEOCONVERT", [], "point"), /coordinates is required/);
  });

  test("geoConvert uses turf's helpers and their validation", () => {
    assert.deepEqual(call("GEOCONVERT", "[[1,2],[3,4]]", "lineString", null), {
      type: "Feature",
      properties: {},
      geometry: { type: "LineString", coordinates: [[1, 2], [3, 4]] },
    });
    assert.deepEqual(call("GEOCONVERT", [[[0, 0], [1, 0], [1, 1], [0, 0]]], "polygon", { a: 1 }), {
      type: "Feature",
      properties: { a: 1 },
      geometry: { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
    });
    assert.deepEqual(call("GEOCONVERT", [[[[0, 0], [1, 0], [1, 1], [0, 0]]]], "multiPolygon"), {
      type: "Feature",
      properties: {},
      geometry: { type: "MultiPolygon", coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] },
    });
    assert.throws(() => call("GEOCONVERT", [[[0, 0], [1, 0], [0, 0]]], "polygon"), /Each LinearRing of a Polygon must have 4 or more Positions\./);
    assert.throws(() => call("GEOCONVERT", [[[0, 0], [1, 0], [1, 1], [0, 1]]], "polygon"), /First and last Position are not equivalent\./);
    assert.throws(() => call("GEOCONVERT", ["a", "b"], "point"), /coordinates must contain numbers/);
    assert.throws(() => call("GEOCONVERT", [[1, 2]], "lineString"), /coordinates must be an array of two or more positions/);
    assert.throws(() => call("GEOCONVERT", denver, null), /geo_type is required/);
  });

  test("geo measures answer NaN for missing or invalid input", () => {
    assert.ok(Number.isNaN(call("GEODISTANCE", null, washington)));
    assert.ok(Number.isNaN(call("GEODISTANCE", "nowhere", washington)));
    assert.ok(Number.isNaN(call("GEODISTANCE", denver, washington, "parsecs")));
    assert.ok(Number.isNaN(call("GEOAREA", "[1,2]")));
    assert.ok(Number.isNaN(call("GEOAREA", null)));
    assert.ok(Number.isNaN(call("GEOLENGTH", square, "parsecs")));
    assert.ok(Number.isNaN(call("GEOLENGTH", { type: "Weird", coordinates: [] })));
    assert.ok(Number.isNaN(call("GEOCIRCLE", denver, null)));
    assert.ok(Number.isNaN(call("GEOCIRCLE", "nowhere", 10)));
    assert.ok(Number.isNaN(call("GEOCIRCLE", denver, 10, "parsecs")));
    assert.ok(Number.isNaN(call("GEODIFFERENCE", square, null)));
    assert.ok(Number.isNaN(call("GEODIFFERENCE", { type: "Point", coordinates: [1, 2] }, square)));
  });

  test("geo predicates answer false for missing, null-coordinate or invalid input", () => {
    assert.equal(call("GEOCONTAINS", "nowhere", { type: "Point", coordinates: [1, 2] }), false);
    assert.equal(call("GEOCONTAINS", square, { type: "Point", coordinates: [-104.5, null] }), false);
    assert.equal(call("GEOEQUAL", { type: "Point", coordinates: [1, 2] }, { type: "LineString", coordinates: [[1, 2], [3, 4]] }), false);
    assert.equal(call("GEOEQUAL", square, undefined), false);
    assert.equal(call("GEOCROSSES", { type: "Weird" }, { type: "Point", coordinates: [1, 2] }), false);
  });

  test("geoContains, geoEqual and geoCrosses", () => {
    assert.equal(call("GEOCONTAINS", square, { type: "Point", coordinates: [-104.5, 39.5] }), true);
    assert.equal(call("GEOCONTAINS", square, { type: "Point", coordinates: [-100, 39.5] }), false);
    assert.equal(call("GEOEQUAL", square, JSON.stringify(square)), true);
    assert.equal(call("GEOCROSSES", square, { type: "LineString", coordinates: [[-106, 39.5], [-103, 39.5]] }), true);
    assert.equal(call("GEOCROSSES", square, { type: "LineString", coordinates: [[-110, 30], [-109, 30]] }), false);
    assert.equal(call("GEOCONTAINS", null, square), false);
  });

  test("geoDifference clips the second polygon from the first", () => {
    const east = { type: "Polygon", coordinates: [[[-104.5, 38], [-103, 38], [-103, 41], [-104.5, 41], [-104.5, 38]]] };
    assert.deepEqual(call("GEODIFFERENCE", square, east), {
      type: "Feature",
      properties: {},
      geometry: { type: "Polygon", coordinates: [[[-105, 39], [-104.5, 39], [-104.5, 40], [-105, 40], [-105, 39]]] },
    });
  });
});

describe("function registry", () => {
  test("aliases share one implementation", () => {
    for (const [a, b] of [
      ["LEN", "LENGTH"],
      ["IF", "IIF"],
      ["DATE_DIFF", "DATEDIFF"],
      ["NOW", "GETDATE"],
      ["NOW", "CURRENT_TIMESTAMP"],
      ["CEIL", "CEILING"],
    ] as const) {
      assert.equal(scalarFunctions.get(a), scalarFunctions.get(b), `${a} = ${b}`);
    }
  });

  test("every name is upper case", () => {
    for (const name of scalarFunctions.keys()) assert.equal(name, name.toUpperCase());
  });
});

describe("aggregates", () => {
  test("COUNT(*) counts rows", () => {
    assert.equal(aggregate("COUNT", dogs.map(() => 1)), 13);
  });

  test("COUNT(col) counts values that are not null or undefined", () => {
    assert.equal(aggregate("COUNT", column("id")), 13);
    assert.equal(aggregate("COUNT", [null, 1, undefined, 0]), 2);
  });

  test("COUNT(DISTINCT col) counts distinct values", () => {
    assert.equal(aggregate("COUNT", column("owner_name"), true), 9);
  });

  test("SUM, AVG, MIN and MAX over numbers", () => {
    const ages = column("age");
    assert.equal(aggregate("SUM", ages), 70);
    assert.equal(aggregate("AVG", ages), 5.384615384615385);
    const age5 = dogs.filter((d) => d.age === 5).map((d) => d.weight_lbs);
    assert.deepEqual(
      ["AVG", "SUM", "MIN", "MAX"].map((name) => aggregate(name, age5)),
      [56.8, 284, 35, 84],
    );
  });

  test("MIN and MAX of strings are null", () => {
    assert.equal(aggregate("MIN", column("dog_name")), null);
    assert.equal(aggregate("MAX", column("dog_name")), null);
  });

  test("aggregates over no rows: COUNT and SUM 0, the others undefined", () => {
    assert.deepEqual(
      ["COUNT", "SUM", "TOTAL", "AVG", "MIN", "MAX", "GROUP_CONCAT", "ARRAY"].map((name) => aggregate(name, [])),
      [0, 0, 0, undefined, undefined, undefined, undefined, undefined],
    );
  });

  test("Harper's mathjs aggregates over no rows are null", () => {
    assert.deepEqual(
      ["MEDIAN", "MEAN", "MODE", "MAD", "PROD"].map((name) => aggregate(name, [])),
      [null, null, null, null, null],
    );
  });

  test("SUM skips nulls and AVG averages the non-null values", () => {
    assert.equal(aggregate("SUM", [null, 5, undefined, 2]), 7);
    assert.equal(aggregate("AVG", [4, null, 8]), 6);
  });

  test("GROUP_CONCAT joins with commas and no spaces", () => {
    assert.equal(aggregate("GROUP_CONCAT", ["Penny", "Kato"]), "Penny,Kato");
    assert.equal(aggregate("GROUP_CONCAT", ["Rust night", "SQL deep dive"]), "Rust night,SQL deep dive");
    assert.equal(aggregate("REDUCE", ["a", "b"]), "a,b");
  });

  test("ARRAY collects the values", () => {
    assert.deepEqual(aggregate("ARRAY", ["Monkey"]), ["Monkey"]);
    assert.deepEqual(aggregate("ARRAY", [1, null, 1]), [1, null, 1]);
  });

  test("MEDIAN, MEAN and MODE (spec §9)", () => {
    assert.equal(aggregate("MEDIAN", column("weight_lbs")), 55);
    assert.equal(aggregate("MEAN", column("weight_lbs")), 50.07692307692308);
    assert.deepEqual(aggregate("MODE", column("age")), [5]);
    assert.equal(aggregate("MEDIAN", [1, 2, 3, 4]), 2.5);
  });

  test("MODE returns every most frequent value", () => {
    assert.deepEqual(aggregate("MODE", [1, 2, 2, 1]), [2, 1]);
  });

  test("MAD and PROD", () => {
    assert.equal(aggregate("MAD", column("weight_lbs")), 20);
    assert.equal(aggregate("PROD", [2, 3, 4]), 24);
    assert.equal(aggregate("PROD", [2, null, 5]), 10);
  });

  test("FIRST and LAST", () => {
    assert.equal(aggregate("FIRST", ["a", "b", "c"]), "a");
    assert.equal(aggregate("LAST", ["a", "b", "c"]), "c");
  });

  test("DISTINCT variants skip repeated values", () => {
    assert.equal(aggregate("SUM", [5, 5, 3], true), 8);
    assert.equal(aggregate("GROUP_CONCAT", ["Kyle", "Zach", "Kyle"], true), "Kyle,Zach");
    assert.deepEqual(aggregate("ARRAY", [1, 2, 1], true), [1, 2]);
  });

  test("unknown names are not aggregates", () => {
    assert.equal(createAccumulator("UPPER", false), undefined);
    for (const name of ["COUNT", "SUM", "AVG", "MIN", "MAX", "REDUCE", "GROUP_CONCAT", "ARRAY", "MEDIAN", "MEAN", "MODE", "MAD", "PROD", "FIRST", "LAST"]) {
      assert.ok(aggregateNames.has(name), name);
    }
  });
});
