import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Papa from "papaparse";
import { writeFileAtomically } from "../src/bulk/export/atomic-file.js";
import { exportChunks } from "../src/bulk/export/export-format.js";
import { mulberry32 } from "./random.js";

// The bytes of export files (spec bulk-jobs.md §5.3, byte-exact with Harper 4.7, whose CSV writer
// is json2csv 5) and how they reach the disk: lazily produced chunks, written atomically.

type Row = Record<string, unknown>;

async function text(rows: Iterable<Row> | AsyncIterable<Row>, format: "json" | "csv", columns?: readonly string[]): Promise<string> {
  let out = "";
  for await (const chunk of exportChunks(rows, format, columns)) out += chunk;
  return out;
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** A fresh temporary folder, removed after the test. */
function scratch(t: { after(fn: () => void): void }): string {
  const folder = mkdtempSync(join(tmpdir(), "export-format-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

const spec: Row[] = [
  { id: 1, name: "Alice", tags: ["a", "b"], city: "NYC" },
  { id: 2, name: "Bob", tags: ["b"], city: "SF" },
  { id: 3, name: "Carol", tags: null },
];

// ---- formats -------------------------------------------------------------------------------

test("JSON export of the spec §5.3 rows is the compact array, no trailing newline", async () => {
  const rows = spec.map(({ city: _city, ...row }) => row);
  assert.equal(
    await text(rows, "json"),
    '[{"id":1,"name":"Alice","tags":["a","b"]},{"id":2,"name":"Bob","tags":["b"]},{"id":3,"name":"Carol","tags":null}]',
  );
});

test("CSV export of the spec §5.3 rows is byte-exact: quoted header, JSON arrays quoted, null and missing empty", async () => {
  assert.equal(
    await text(spec, "csv", ["id", "name", "tags", "city"]),
    '"id","name","tags","city"\n1,"Alice","[""a"",""b""]","NYC"\n2,"Bob","[""b""]","SF"\n3,"Carol",,',
  );
});

test("CSV columns, when not given, are the keys of the first row; later keys are ignored", async () => {
  const rows: Row[] = [{ b: 1, a: "x" }, { a: "y", c: true }, { b: 3 }];
  assert.equal(await text(rows, "csv"), '"b","a"\n1,"x"\n,"y"\n3,');
});

test("CSV columns, when given, decide the header and the order, whatever the rows hold", async () => {
  const rows: Row[] = [{ a: 1, b: 2, c: 3 }];
  assert.equal(await text(rows, "csv", ["c", "a"]), '"c","a"\n3,1');
});

test("CSV quotes strings with inner quotes doubled, keeping commas and newlines inside the quotes", async () => {
  const rows: Row[] = [{ s: 'say "hi"' }, { s: "a,b" }, { s: "line 1\nline 2\r\n" }, { s: "" }, { s: '"' }];
  assert.equal(await text(rows, "csv"), '"s"\n"say ""hi"""\n"a,b"\n"line 1\nline 2\r\n"\n""\n""""');
});

test("CSV prints numbers and booleans bare, as JavaScript prints them (NaN too, as json2csv does)", async () => {
  const rows: Row[] = [{ n: 0, m: -1.5, big: 1e21, tiny: 1e-7, yes: true, no: false, nan: NaN }];
  assert.equal(await text(rows, "csv"), '"n","m","big","tiny","yes","no","nan"\n0,-1.5,1e+21,1e-7,true,false,NaN');
});

test("CSV header names are quoted like strings", async () => {
  assert.equal(await text([{ 'say "x"': 1, "a,b": 2 }], "csv"), '"say ""x""","a,b"\n1,2');
});

test("CSV writes objects and nested values as their quoted JSON text", async () => {
  const rows: Row[] = [{ o: { a: { b: 'x"y' } }, e: [], n: [1, null, "z"] }];
  const o = JSON.stringify({ a: { b: 'x"y' } }).replaceAll('"', '""');
  assert.equal(await text(rows, "csv"), `"o","e","n"\n"${o}","[]","[1,null,""z""]"`);
});

test("Dates are ISO strings: quoted in CSV, as JSON.stringify prints them in JSON (invalid: null)", async () => {
  const when = new Date("2020-01-02T03:04:05.678Z");
  const rows: Row[] = [{ at: when, bad: new Date(Number.NaN), nested: { at: when } }];
  assert.equal(await text(rows, "json"), '[{"at":"2020-01-02T03:04:05.678Z","bad":null,"nested":{"at":"2020-01-02T03:04:05.678Z"}}]');
  assert.equal(
    await text(rows, "csv"),
    '"at","bad","nested"\n"2020-01-02T03:04:05.678Z","null","{""at"":""2020-01-02T03:04:05.678Z""}"',
  );
});

test("JSON drops undefined properties and prints non-finite numbers as null, like JSON.stringify", async () => {
  assert.equal(await text([{ a: undefined, b: Infinity, c: NaN, d: [undefined] }], "json"), '[{"b":null,"c":null,"d":[null]}]');
});

test("bigints do not break an export: exact digits in CSV, numbers when exact else strings in JSON", async () => {
  const rows: Row[] = [{ small: 10n, big: 2n ** 64n, inside: { big: 2n ** 64n } }];
  assert.equal(await text(rows, "json"), '[{"small":10,"big":"18446744073709551616","inside":{"big":"18446744073709551616"}}]');
  assert.equal(await text(rows, "csv"), '"small","big","inside"\n10,18446744073709551616,"{""big"":""18446744073709551616""}"');
});

test("an empty result is [] in JSON, the header alone in CSV with known columns, and nothing without", async () => {
  assert.equal(await text([], "json"), "[]");
  assert.equal(await text([], "csv", ["id", "name"]), '"id","name"');
  assert.equal(await text([], "csv"), "");
  const chunks: string[] = [];
  for await (const chunk of exportChunks([], "csv")) chunks.push(chunk);
  assert.deepEqual(chunks, [], "no chunk at all, not an empty one");
});

test("CSV leaves out rows whose columns are all null or missing, as Harper's json2csv does", async () => {
  const rows: Row[] = [{ a: null, b: undefined }, { a: 1 }, { c: 5 }, { a: "" }];
  assert.equal(await text(rows, "csv", ["a", "b"]), '"a","b"\n1,\n"",');
  assert.equal(await text(rows.slice(0, 1), "csv", ["a", "b"]), '"a","b"', "the header stays");
});

test("an async iterable source gives the same bytes as an array", async () => {
  for (const format of ["json", "csv"] as const) {
    assert.equal(await text(fromArray(spec), format), await text(spec, format), format);
  }
});

test("an unknown format is refused with Harper's message", async () => {
  await assert.rejects(text(spec, "xml" as "json"), { message: "format invalid. must be one of the following values: json, csv" });
});

test("a source that throws makes the export throw the same error", async () => {
  async function* failing(): AsyncGenerator<Row> {
    yield { a: 1 };
    throw new Error("search failed");
  }
  await assert.rejects(text(failing(), "json"), { message: "search failed" });
});

test("a 100k-row export streams: the source is pulled only as the chunks are consumed", async () => {
  for (const format of ["json", "csv"] as const) {
    let pulled = 0;
    function* source(): Generator<Row> {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield { id: i, name: `row ${i}`, ok: i % 2 === 0 };
      }
    }
    const chunks = exportChunks(source(), format);
    const first = await chunks.next();
    assert.equal(first.done, false);
    assert.ok(pulled < 10_000, `${format}: ${pulled} rows pulled for the first chunk`);
    let all = first.value as string;
    let count = 1;
    for await (const chunk of chunks) {
      all += chunk;
      count++;
    }
    assert.equal(pulled, 100_000);
    assert.ok(count > 10, `${format}: ${count} chunks`);
    const rows = [...(function* () {
      for (let i = 0; i < 100_000; i++) yield { id: i, name: `row ${i}`, ok: i % 2 === 0 };
    })()];
    if (format === "json") assert.equal(all, JSON.stringify(rows));
    else {
      const lines = all.split("\n");
      assert.equal(lines.length, 100_001);
      assert.equal(lines[0], '"id","name","ok"');
      assert.equal(lines[100_000], '99999,"row 99999",false');
    }
  }
});

test("a consumer that stops early closes the source", async () => {
  let closed = false;
  function* source(): Generator<Row> {
    try {
      for (let i = 0; ; i++) yield { id: i, pad: "x".repeat(100) };
    } finally {
      closed = true;
    }
  }
  for await (const chunk of exportChunks(source(), "json")) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.equal(closed, true);
});

test("random CSV exports parse back (papaparse, as csv_file_load reads them) to the same cells", async () => {
  const random = mulberry32(7);
  const alphabet = ['"', ",", "\n", "\r", " ", "a", "Z", "é", "😀", ";", "'", "\\"];
  const pick = (): string => {
    let s = "";
    const length = Math.floor(random() * 8);
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(random() * alphabet.length)];
    return s;
  };
  const columns = ["k", "s", "n", "o"];
  const rows: Row[] = [];
  for (let i = 0; i < 300; i++) rows.push({ k: i, s: pick(), n: random() < 0.2 ? null : Math.round(random() * 1e6) / 100, o: random() < 0.5 ? [pick()] : { x: pick() } });
  const parsed = Papa.parse<Record<string, string>>(await text(rows, "csv", columns), { header: true, skipEmptyLines: false });
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(parsed.meta.fields, columns);
  assert.equal(parsed.data.length, rows.length);
  parsed.data.forEach((cells, i) => {
    const row = rows[i]!;
    assert.deepEqual(cells, { k: String(row["k"]), s: row["s"], n: row["n"] === null ? "" : String(row["n"]), o: JSON.stringify(row["o"]) }, `row ${i}`);
  });
});

// ---- atomic files --------------------------------------------------------------------------

test("writeFileAtomically leaves exactly the file, with the bytes it reports", async (t) => {
  const folder = scratch(t);
  const path = join(folder, "out.csv");
  const bytes = await writeFileAtomically(path, fromArray<string | Uint8Array>(["héllo ", Buffer.from("€ "), new Uint8Array([0x41, 0x42]), "😀"]));
  const expected = Buffer.concat([Buffer.from("héllo € "), Buffer.from("AB"), Buffer.from("😀")]);
  assert.deepEqual(readdirSync(folder), ["out.csv"]);
  assert.deepEqual(readFileSync(path), expected);
  assert.equal(bytes, expected.length);
  assert.equal(statSync(path).mode & 0o022, 0, "not writable by group or others");
});

test("writeFileAtomically writes an export end to end", async (t) => {
  const folder = scratch(t);
  const path = join(folder, "spec.csv");
  const bytes = await writeFileAtomically(path, exportChunks(spec, "csv", ["id", "name", "tags", "city"]));
  const expected = '"id","name","tags","city"\n1,"Alice","[""a"",""b""]","NYC"\n2,"Bob","[""b""]","SF"\n3,"Carol",,';
  assert.equal(readFileSync(path, "utf8"), expected);
  assert.equal(bytes, Buffer.byteLength(expected));
});

test("a source that throws mid-way leaves no file and no temporary file", async (t) => {
  const folder = scratch(t);
  async function* failing(): AsyncGenerator<string> {
    yield "x".repeat(100_000);
    yield "more";
    throw new Error("search failed mid-way");
  }
  await assert.rejects(writeFileAtomically(join(folder, "out.json"), failing()), { message: "search failed mid-way" });
  assert.deepEqual(readdirSync(folder), []);
});

test("an existing file is replaced only on success", async (t) => {
  const folder = scratch(t);
  const path = join(folder, "out.json");
  writeFileSync(path, "old");
  async function* failing(): AsyncGenerator<string> {
    yield "new, partial";
    throw new Error("boom");
  }
  await assert.rejects(writeFileAtomically(path, failing()), { message: "boom" });
  assert.equal(readFileSync(path, "utf8"), "old");
  assert.deepEqual(readdirSync(folder), ["out.json"]);
  assert.equal(await writeFileAtomically(path, fromArray(["new"])), 3);
  assert.equal(readFileSync(path, "utf8"), "new");
  assert.deepEqual(readdirSync(folder), ["out.json"]);
});

test("a failing rename (the target is a folder) removes the temporary file", async (t) => {
  const folder = scratch(t);
  mkdirSync(join(folder, "taken"));
  writeFileSync(join(folder, "taken", "inside"), "");
  await assert.rejects(writeFileAtomically(join(folder, "taken"), fromArray(["data"])), { code: /^(EISDIR|ENOTEMPTY|EEXIST)$/ });
  assert.deepEqual(readdirSync(folder), ["taken"]);
});

test("a missing target folder fails without creating anything", async (t) => {
  const folder = scratch(t);
  await assert.rejects(writeFileAtomically(join(folder, "nope", "out.csv"), fromArray(["data"])), { code: "ENOENT" });
  assert.deepEqual(readdirSync(folder), []);
});

test("a symlink at the target is replaced itself, the file it points to is untouched", async (t) => {
  const folder = scratch(t);
  const elsewhere = join(folder, "elsewhere.txt");
  writeFileSync(elsewhere, "precious");
  symlinkSync(elsewhere, join(folder, "out.csv"));
  await writeFileAtomically(join(folder, "out.csv"), fromArray(["export"]));
  assert.equal(readFileSync(elsewhere, "utf8"), "precious");
  assert.equal(readFileSync(join(folder, "out.csv"), "utf8"), "export");
  assert.equal(statSync(join(folder, "out.csv")).isFile(), true);
});

test("each chunk is on disk before the next one is pulled (backpressure)", async (t) => {
  const folder = scratch(t);
  let written = 0;
  async function* source(): AsyncGenerator<string> {
    for (let i = 0; i < 20; i++) {
      // What the writer has flushed so far, seen in its temporary file.
      const temporary = readdirSync(folder).filter((name) => name.endsWith(".tmp"));
      assert.equal(temporary.length, 1);
      assert.equal(statSync(join(folder, temporary[0]!)).size, written, `before chunk ${i}`);
      const chunk = String(i).repeat(50_000);
      written += chunk.length;
      yield chunk;
    }
  }
  assert.equal(await writeFileAtomically(join(folder, "out.txt"), source()), written);
  assert.equal(statSync(join(folder, "out.txt")).size, written);
});
