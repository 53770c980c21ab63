import { test } from "node:test";
import assert from "node:assert/strict";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import Papa from "papaparse";
import { jsonCell, typedCell, untypedCell } from "../src/bulk/csv/cell-value.js";
import { CsvError, csvBatches } from "../src/bulk/csv/parse-csv.js";
import type { CsvOptions } from "../src/bulk/csv/parse-csv.js";
import { mulberry32 } from "./random.js";

// CSV parsing and typing for the bulk loads (spec bulk-jobs.md §4.3): each typing rule of the
// table, declared types, the JSON-cell step, papaparse's dialect (delimiters, quotes, line breaks,
// empty lines, BOM, short and long rows), batching, a differential check against papaparse on a
// whole string, and bounded memory on a 50 MB stream.

type Row = Record<string, unknown>;

const dataLoad: CsvOptions = { jsonCells: false, keepExtra: true, batchSize: 1000 };
const fileLoad: CsvOptions = { jsonCells: true, keepExtra: false, batchSize: 1000 };

async function batchesOf(source: string | AsyncIterable<Uint8Array | string>, options: Partial<CsvOptions> = {}): Promise<Row[][]> {
  const batches: Row[][] = [];
  for await (const batch of csvBatches(source, { ...dataLoad, ...options })) batches.push(batch);
  return batches;
}

async function records(source: string | AsyncIterable<Uint8Array | string>, options: Partial<CsvOptions> = {}): Promise<Row[]> {
  return (await batchesOf(source, options)).flat();
}

/** The bytes of `text` in chunks of the given sizes (cycled), cutting multi-byte characters. */
async function* chunked(text: string, sizes: number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, "utf8");
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

/** A source yielding exactly these chunks. */
async function* pieces(...chunks: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  yield* chunks;
}

function date(iso: string): Date {
  return new Date(iso);
}

// ---- untyped cells (the §4.3 table) ----

test("untyped true/TRUE/false/FALSE become booleans, other spellings stay strings", () => {
  assert.equal(untypedCell("true"), true);
  assert.equal(untypedCell("TRUE"), true);
  assert.equal(untypedCell("false"), false);
  assert.equal(untypedCell("FALSE"), false);
  for (const text of ["True", "yes", "no", "tRUE", " true"]) assert.equal(untypedCell(text), text);
});

test("untyped null/NULL/undefined become null and NaN becomes NaN", () => {
  assert.equal(untypedCell("null"), null);
  assert.equal(untypedCell("NULL"), null);
  assert.equal(untypedCell("undefined"), null);
  assert.ok(Number.isNaN(untypedCell("NaN")));
  assert.equal(untypedCell("Null"), "Null");
  // Harper looks these up in a plain object; inherited names must not come back as functions.
  for (const text of ["constructor", "toString", "__proto__", "hasOwnProperty"]) assert.equal(untypedCell(text), text);
});

test("untyped numeric text becomes a number, trimmed", () => {
  assert.equal(untypedCell("  7 "), 7);
  assert.equal(untypedCell("-3"), -3);
  assert.equal(untypedCell("1.5"), 1.5);
  assert.equal(untypedCell("0"), 0);
  assert.equal(untypedCell("0.5"), 0.5);
  assert.equal(untypedCell(".5"), 0.5);
  assert.equal(untypedCell("+5"), 5);
  assert.equal(untypedCell("123456789012"), 123456789012);
});

test("untyped leading-zero forms, e/E exponents and non-finite text stay strings", () => {
  for (const text of ["007", "0x10", "0b1", "00.5", "1e3", "1E3", "2e-3", "Infinity", "-Infinity", "12abc", "1_000", " ", "1,5"]) {
    assert.equal(untypedCell(text), text, text);
  }
});

test("untyped number quirks of Harper: the leading-zero test sees the untrimmed text, 0.-decimals skip the e test", () => {
  assert.equal(untypedCell(" 007"), 7);
  assert.equal(untypedCell("0.5e3"), 500);
});

test("untyped full ISO date-times with a zone become Dates, date-only and zoneless text stays a string", () => {
  assert.deepEqual(untypedCell("2020-01-01T00:00:00Z"), date("2020-01-01T00:00:00.000Z"));
  assert.deepEqual(untypedCell("2020-01-01T00:00:00.123+02:00"), date("2019-12-31T22:00:00.123Z"));
  assert.deepEqual(untypedCell("2020-01-01T00:00Z"), date("2020-01-01T00:00:00.000Z"));
  assert.deepEqual(untypedCell("2020-06-01T12:30:00-05:00"), date("2020-06-01T17:30:00.000Z"));
  for (const text of ["2020-01-01", "2020-01-01T00:00:00", "2020-01-01 00:00:00Z", "2020-01-01T00:00:00+0200", "2020-19-01T00:00:00Z"]) {
    assert.equal(untypedCell(text), text, text);
  }
});

test("untyped empty cells stay empty strings and other text is unchanged", () => {
  assert.equal(untypedCell(""), "");
  assert.equal(untypedCell('{"a":1}'), '{"a":1}');
  assert.equal(untypedCell("[1,2]"), "[1,2]");
  assert.equal(untypedCell("Rose, climbing"), "Rose, climbing");
});

// ---- declared types ----

test("typed Int and Long accept integer text and refuse anything else with Harper's message", () => {
  assert.equal(typedCell("42", "age", "Int"), 42);
  assert.equal(typedCell("-7", "age", "Long"), -7);
  assert.equal(typedCell("null", "age", "Int"), null);
  assert.equal(typedCell("$a", "age", "Int"), 10);
  for (const text of ["4.5", "notnum", " 5", "+5", "1e3"]) {
    assert.throws(() => typedCell(text, "age", "Int"), (error: unknown) => {
      assert.ok(error instanceof CsvError);
      assert.equal(error.message, `Invalid value for attribute age: "${text}", expecting Int`);
      return true;
    });
  }
});

test("typed empty cells become null except for String and Any", () => {
  for (const type of ["Int", "Long", "Float", "BigInt", "Boolean", "Date", "ID", "Bytes"]) assert.equal(typedCell("", "x", type), null, type);
  assert.equal(typedCell("", "x", "String"), "");
  assert.equal(typedCell("", "x", "Any"), "");
});

test("typed Float converts like unary plus and refuses NaN with Harper's message", () => {
  assert.equal(typedCell("1.25", "age", "Float"), 1.25);
  assert.equal(typedCell("1e3", "age", "Float"), 1000);
  assert.equal(typedCell(" 7 ", "age", "Float"), 7);
  assert.equal(typedCell("null", "age", "Float"), null);
  assert.throws(() => typedCell("notnum", "age", "Float"), { name: "CsvError", message: 'Invalid value for attribute age: "notnum", expecting Float' });
});

test("typed BigInt gives bigints and refuses non-integers", () => {
  assert.equal(typedCell("12345678901234567890", "big", "BigInt"), 12345678901234567890n);
  assert.throws(() => typedCell("1.5", "big", "BigInt"), { message: 'Invalid value for attribute big: "1.5", expecting BigInt' });
});

test("typed Boolean reads true/false in any case and leaves other text to the write's type check", () => {
  assert.equal(typedCell("TRUE", "ok", "Boolean"), true);
  assert.equal(typedCell("False", "ok", "Boolean"), false);
  assert.equal(typedCell("yes", "ok", "Boolean"), "yes");
});

test("typed Date reads ISO text (zoneless as UTC) and epoch milliseconds, and refuses the rest", () => {
  assert.deepEqual(typedCell("2020-01-01T10:00:00+02:00", "d", "Date"), date("2020-01-01T08:00:00.000Z"));
  assert.deepEqual(typedCell("2020-01-01", "d", "Date"), date("2020-01-01T00:00:00.000Z"));
  assert.deepEqual(typedCell("2020-01-01T10:00:00", "d", "Date"), date("2020-01-01T10:00:00.000Z"));
  assert.deepEqual(typedCell("1700000000000", "d", "Date"), new Date(1700000000000));
  assert.equal(typedCell("null", "d", "Date"), null);
  assert.throws(() => typedCell("notadate", "d", "Date"), { message: 'Invalid value for attribute d: "notadate", expecting Date' });
  // Harper shows the text with the Z it appended.
  assert.throws(() => typedCell("2020-13-45", "d", "Date"), { message: 'Invalid value for attribute d: "2020-13-45Z", expecting Date' });
});

test("typed String and ID keep the text, Any converts like an untyped column", () => {
  assert.equal(typedCell("007", "s", "String"), "007");
  assert.equal(typedCell("true", "s", "ID"), "true");
  assert.equal(typedCell("7", "s", "Any"), 7);
});

// ---- JSON cells ----

test("jsonCell parses valid JSON objects and arrays and keeps everything else", () => {
  assert.deepEqual(jsonCell('{"a":1}'), { a: 1 });
  assert.deepEqual(jsonCell("[1,2]"), [1, 2]);
  assert.deepEqual(jsonCell("[]"), []);
  for (const value of ["{bad}", "[x]", "{", "[1,2", "plain", "", 5, null, true]) assert.equal(jsonCell(value), value);
  const when = new Date(0);
  assert.equal(jsonCell(when), when);
});

// ---- parsing ----

test("a header row names the attributes and cells are typed (transcript bulk-csv-load)", async () => {
  const data = 'id,common_name,family,height_cm,perennial\n1,Basil,Lamiaceae,45,false\n2,"Rose, climbing",Rosaceae,250,true\n3,Thyme,Lamiaceae,,true\n';
  assert.deepEqual(await records(data), [
    { id: 1, common_name: "Basil", family: "Lamiaceae", height_cm: 45, perennial: false },
    { id: 2, common_name: "Rose, climbing", family: "Rosaceae", height_cm: 250, perennial: true },
    { id: 3, common_name: "Thyme", family: "Lamiaceae", height_cm: "", perennial: true },
  ]);
});

test("the delimiter is detected: semicolon, tab and pipe", async () => {
  assert.deepEqual(await records("id;name\n70;semi"), [{ id: 70, name: "semi" }]);
  assert.deepEqual(await records("id\tname\n71\ttab\n72\tx y\n"), [{ id: 71, name: "tab" }, { id: 72, name: "x y" }]);
  assert.deepEqual(await records("id|name|n\n73|pipe,comma|1\n"), [{ id: 73, name: "pipe,comma", n: 1 }]);
});

test("quoted fields keep delimiters, line breaks and doubled quotes", async () => {
  const data = 'id,text,other\n1,"a,b","line1\nline2"\n2,"say ""hi""",""\n3,"x\r\ny",z\n';
  assert.deepEqual(await records(data), [
    { id: 1, text: "a,b", other: "line1\nline2" },
    { id: 2, text: 'say "hi"', other: "" },
    { id: 3, text: "x\r\ny", other: "z" },
  ]);
});

test("CRLF line breaks are accepted and do not leak into the last cell", async () => {
  assert.deepEqual(await records("id,name\r\n1,a\r\n2,b\r\n"), [{ id: 1, name: "a" }, { id: 2, name: "b" }]);
});

test("empty lines are skipped, a trailing newline is optional", async () => {
  assert.deepEqual(await records("\nid,name\n\n1,a\n\n\n2,b"), [{ id: 1, name: "a" }, { id: 2, name: "b" }]);
  assert.deepEqual(await records("id,name\r\n\r\n1,a\r\n\r\n"), [{ id: 1, name: "a" }]);
});

test("a byte order mark is stripped from text and from bytes, even cut across chunks", async () => {
  assert.deepEqual(await records("\ufeffid,name\n1,a\n"), [{ id: 1, name: "a" }]);
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  assert.deepEqual(await records(pieces(bom.subarray(0, 2), Buffer.concat([bom.subarray(2), Buffer.from("id,name\n1,a\n")]))), [{ id: 1, name: "a" }]);
  assert.deepEqual(await records(pieces("\ufeffid,na", "me\n1,a\n")), [{ id: 1, name: "a" }]);
  // Only the first one is a byte order mark; a second one is part of the (then invalid) name.
  await assert.rejects(records(pieces(Buffer.concat([bom, bom, Buffer.from("id\n1\n")]))), {
    message: "Invalid column name '\ufeffid', cancelling load operation",
  });
});

test("rows with fewer fields lack the missing columns", async () => {
  assert.deepEqual(await records("id,name,age\n1,a\n2\n"), [{ id: 1, name: "a" }, { id: 2 }]);
});

test("rows with more fields keep the typed extras in __parsed_extra only when asked", async () => {
  const data = "id,tags,n\n1,[1,2],3\n";
  assert.deepEqual(await records(data), [{ id: 1, tags: "[1", n: "2]", __parsed_extra: [3] }]);
  assert.deepEqual(await records(data, fileLoad), [{ id: 1, tags: "[1", n: "2]" }]);
});

test("repeated header names are renamed as papaparse does", async () => {
  assert.deepEqual(await records("a,a,a_1,a\n1,2,3,4\n"), [{ a: 1, a_2: 2, a_1: 3, a_3: 4 }]);
});

test("a __proto__ column is dropped, as in papaparse's rows", async () => {
  const [row] = await records('id,__proto__\n1,"{""polluted"":true}"\n', fileLoad);
  assert.deepEqual(Object.keys(row!), ["id"]);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
});

test("a column name with / or a backtick (or outside Harper's name rule) ends the load before any batch", async () => {
  for (const name of ["a/b", "a`b", "`x`", "naïve"]) {
    const batches = csvBatches(`id,${name}\n1,2\n`, { ...dataLoad, batchSize: 1 });
    await assert.rejects(batches.next(), (error: unknown) => {
      assert.ok(error instanceof CsvError);
      assert.equal(error.message, `Invalid column name '${name}', cancelling load operation`);
      return true;
    });
  }
});

test("a bad column name in a header without rows is not an error (nothing is parsed)", async () => {
  assert.deepEqual(await batchesOf("id,a/b\n"), []);
});

test("declared types apply per column: Int ok, Int bad ends the load, empty is null", async () => {
  const types = new Map([["age", "Int"]]);
  assert.deepEqual(await records("id,age,note\n1,42,7\n2,,\n", { types }), [{ id: 1, age: 42, note: 7 }, { id: 2, age: null, note: "" }]);
  await assert.rejects(records("id,age\n1,42\n2,notnum\n", { types }), {
    name: "CsvError",
    message: 'Invalid value for attribute age: "notnum", expecting Int',
  });
});

test("JSON cells are parsed for file loads and kept as text for csv_data_load", async () => {
  const data = 'id,obj,list,bad\n1,"{""a"":1}","[1,2]",{bad}\n';
  assert.deepEqual(await records(data, fileLoad), [{ id: 1, obj: { a: 1 }, list: [1, 2], bad: "{bad}" }]);
  assert.deepEqual(await records(data, dataLoad), [{ id: 1, obj: '{"a":1}', list: "[1,2]", bad: "{bad}" }]);
});

test("records come in batches of batchSize, the last one partial", async () => {
  const data = "id\n" + Array.from({ length: 2500 }, (_, i) => `${i + 1}\n`).join("");
  const batches = await batchesOf(data, { batchSize: 1000 });
  assert.deepEqual(batches.map((batch) => batch.length), [1000, 1000, 500]);
  assert.deepEqual(batches[2]!.at(-1), { id: 2500 });
  const exact = await batchesOf("id\n" + "1\n".repeat(2000), { batchSize: 1000 });
  assert.deepEqual(exact.map((batch) => batch.length), [1000, 1000]);
});

test("empty input and a header alone give no batches", async () => {
  assert.deepEqual(await batchesOf(""), []);
  assert.deepEqual(await batchesOf("id,name\n"), []);
  assert.deepEqual(await batchesOf("\n\n"), []);
});

test("a batch size that is not a positive integer is refused", async () => {
  await assert.rejects(batchesOf("id\n1\n", { batchSize: 0 }), RangeError);
  await assert.rejects(batchesOf("id\n1\n", { batchSize: 1.5 }), RangeError);
});

test("a file stream parses like its text", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bulk-csv-"));
  try {
    const path = join(dir, "plants.csv");
    writeFileSync(path, '\ufeffid,common_name\r\n201,Lavender\r\n203,"Fern, Boston"\r\n');
    assert.deepEqual(await records(createReadStream(path, { highWaterMark: 7 }), fileLoad), [
      { id: 201, common_name: "Lavender" },
      { id: 203, common_name: "Fern, Boston" },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- chunking ----

/** A random CSV of about `size` characters in one dialect, with quotes, line breaks and unicode. */
function randomCsv(seed: number, size: number): string {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const delimiter = pick([",", ";", "\t", "|"]);
  const newline = pick(["\n", "\r\n"]);
  const header = ["id", "name", "a", "a", "note", "x_1"].slice(0, 3 + Math.floor(random() * 4));
  const values = ["", "0", "007", "1.5", "-3", "  7 ", "true", "NULL", "NaN", "1e3", "2020-01-01T00:00:00Z", "2020-01-01",
    "héllo ✓ 𝄞", 'say "hi"', "a,b;c|d\te", "multi\nline", "cr\r\nlf", '{"a":1}', "[1,2]", "plain text"];
  const quote = (value: string): string => {
    const needs = /["\r\n]/.test(value) || value.includes(delimiter) || random() < 0.1;
    return needs ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const lines = [header.join(delimiter)];
  let length = 0;
  for (let id = 1; length < size; id++) {
    if (random() < 0.03) {
      lines.push("");
      continue;
    }
    const width = random() < 0.1 ? header.length + (random() < 0.5 ? -1 : 2) : header.length;
    const fields = [String(id)];
    for (let i = 1; i < width; i++) fields.push(quote(pick(values)));
    const line = fields.join(delimiter);
    length += line.length;
    lines.push(line);
  }
  return lines.join(newline) + (random() < 0.5 ? newline : "");
}

test("chunked streams parse exactly like papaparse on the whole text (differential)", async () => {
  // Past the first MiB (parsed at once for the delimiter guess) every chunk boundary counts.
  for (const seed of [1, 2]) {
    const text = randomCsv(seed, 1_250_000);
    const expected = Papa.parse<Row>(text, { header: true, skipEmptyLines: true, dynamicTyping: false, transform: (value) => untypedCell(value) }).data;
    const random = mulberry32(seed * 7);
    const sizes = Array.from({ length: 50 }, () => 1 + Math.floor(random() * 20_000));
    const actual = await records(chunked(text, sizes), { batchSize: 777 });
    assert.equal(actual.length, expected.length, `seed ${seed}`);
    assert.deepEqual(actual, expected, `seed ${seed}`);
  }
});

test("a quoted field spanning many chunks is read whole", async () => {
  const long = "x\n".repeat(1_500_000);
  const text = `id,blob\n1,"${long}"\n2,after\n`;
  assert.deepEqual(await records(chunked(text, [65_536])), [{ id: 1, blob: long }, { id: 2, blob: "after" }]);
});

test("the source is closed when the consumer stops early or the load fails", async () => {
  let closed = 0;
  async function* source(): AsyncGenerator<string> {
    try {
      yield "id,age\n";
      for (let i = 0; i < 1000; i++) yield Array.from({ length: 100 }, (_, j) => `${i},${i === 500 && j === 0 ? "bad" : j}\n`).join("");
    } finally {
      closed++;
    }
  }
  for await (const batch of csvBatches(source(), { ...dataLoad, batchSize: 10 })) {
    assert.equal(batch.length, 10);
    break;
  }
  assert.equal(closed, 1);
  await assert.rejects(records(source(), { types: new Map([["age", "Int"]]) }), CsvError);
  assert.equal(closed, 2);
});

// ---- memory ----

/** Forces a garbage collection (the flag is set at run time, so `node --test` needs no option). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

test("a 50 MB stream is parsed in bounded memory and not read ahead of the batches taken", async () => {
  const total = 50 * 1024 * 1024;
  let produced = 0;
  let rows = 0;
  const comment = "the quick brown fox, jumps over the lazy dog; ".repeat(3);
  async function* generated(): AsyncGenerator<Buffer> {
    yield Buffer.from("id,name,score,active,comment\n");
    for (let id = 0; produced < total; ) {
      let text = "";
      for (let i = 0; i < 500; i++, id++, rows++) text += `${id},name-${id},${(id % 1000) / 8},${id % 2 === 0},"${comment}"\n`;
      const chunk = Buffer.from(text);
      produced += chunk.length;
      yield chunk;
    }
  }
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  let count = 0;
  let batches = 0;
  for await (const batch of csvBatches(generated(), { ...fileLoad, batchSize: 1000 })) {
    if (batches === 0) {
      // Only the text for the delimiter guess (1 MiB) and the chunk at hand have been read.
      assert.ok(produced < 2 * 1024 * 1024, `read ${produced} bytes before the first batch`);
      assert.deepEqual(batch[1], { id: 1, name: "name-1", score: 0.125, active: false, comment });
    }
    count += batch.length;
    batches++;
    if (batches % 100 === 0) {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
  }
  assert.ok(produced >= total);
  assert.equal(count, rows);
  assert.ok(peak < 16 * 1024 * 1024, `heap grew by ${Math.round(peak / 1024 / 1024)} MB for ${Math.round(total / 1024 / 1024)} MB of CSV`);
});
