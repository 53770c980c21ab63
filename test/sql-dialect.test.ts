import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { poster, startTestServer, stopTestServer } from "./server-fixture.js";

// The example catalogue of spec sql.md §9 (HarperDB 4.7.29's answers) over the same dataset, plus
// the statement shapes and errors of §2-§7, through the JSON API.

let root: string;
let server: RunningServer;
type Row = Record<string, unknown>;

const post = poster(() => server);

const sql = (statement: string) => post({ operation: "sql", sql: statement });

/** The rows of a SELECT that must succeed, timestamps removed. */
async function rows(statement: string): Promise<Row[]> {
  const res = await sql(statement);
  assert.equal(res.status, 200, `${statement}: ${JSON.stringify(res.body)}`);
  assert.ok(Array.isArray(res.body), statement);
  return (res.body as Row[]).map((row) => {
    const copy = { ...row };
    for (const key of Object.keys(copy)) if (key.startsWith("__createdtime__") || key.startsWith("__updatedtime__")) copy[key] = "<ts>";
    return copy;
  });
}

const ids = async (statement: string) => (await rows(statement)).map((r) => r["id"]);

const dogs = [
  [1, "Penny", "Kyle", 154, 5, 35],
  [2, "Harper", "Stephen", 346, 5, 55],
  [3, "Alby", "Kaylan", 348, 5, 84],
  [4, "Billy", "Zach", 347, 4, 60],
  [5, "Rose Merry", "Zach", 348, 8, 15],
  [6, "Kato", "Kyle", 351, 6, 32],
  [7, "Simon", "Fred", 349, 3, 35],
  [8, "Gemma", "Stephen", 350, 5, 55],
  [9, "Yeti", "Jaxon", 200, 5, 55],
  [10, "Monkey", "Aron", 271, 7, 35],
  [11, "Bode", "Margo", 104, 8, 75],
  [12, "Tucker", "David", 346, 2, 60],
  [13, "Jagger", "Margo", 154, 7, 55],
].map(([id, dog_name, owner_name, breed_id, age, weight_lbs]) => ({ id, dog_name, owner_name, breed_id, age, weight_lbs, adorable: true }));

before(async () => {
  ({ server, root } = await startTestServer());
  await post({ operation: "create_table", database: "dev", table: "dog", primary_key: "id" });
  await post({ operation: "create_table", database: "dev", table: "breed", primary_key: "id" });
  await post({ operation: "create_table", database: "dev", table: "movie", primary_key: "id" });
  await post({ operation: "insert", database: "dev", table: "dog", records: dogs });
  const breeds = [
    [154, "Labrador", "Canada"],
    [346, "Husky", "Russia"],
    [347, "Poodle", "France"],
    [348, "Beagle", "UK"],
    [349, "Boxer", "Germany"],
    [999, "Orphan", null],
  ].map(([id, name, country]) => ({ id, name, country }));
  await post({ operation: "insert", database: "dev", table: "breed", records: breeds });
  await post({
    operation: "insert",
    database: "dev",
    table: "movie",
    records: [
      { id: 1, title: "A", cast: [{ name: "Actor A", role: "x" }, { name: "Actor B", role: "y" }], info: { year: 2001, genre: "drama" }, tags: ["a", "b"] },
      { id: 2, title: "B", cast: [{ name: "Actor C", role: "z" }], info: { year: 1999, genre: "comedy" }, tags: ["c"] },
    ],
  });
});

after(async () => {
  await stopTestServer(server, root);
});

test("SELECT * answers every attribute in Harper's order: key, timestamps, the rest", async () => {
  assert.deepEqual(await rows("SELECT * FROM dev.dog WHERE id = 1"), [
    { id: 1, __createdtime__: "<ts>", __updatedtime__: "<ts>", dog_name: "Penny", owner_name: "Kyle", breed_id: 154, age: 5, weight_lbs: 35, adorable: true },
  ]);
});

test("projection, aliases, ORDER BY with several keys, LIMIT and OFFSET", async () => {
  assert.deepEqual(await rows("SELECT id, dog_name AS name FROM dev.dog WHERE id < 3"), [{ id: 1, name: "Penny" }, { id: 2, name: "Harper" }]);
  assert.deepEqual(await rows("SELECT id, dog_name, age FROM dev.dog ORDER BY age DESC, id LIMIT 3"), [
    { id: 5, dog_name: "Rose Merry", age: 8 },
    { id: 11, dog_name: "Bode", age: 8 },
    { id: 10, dog_name: "Monkey", age: 7 },
  ]);
  assert.deepEqual(await ids("SELECT * FROM dev.dog ORDER BY id LIMIT 2 OFFSET 3"), [4, 5]);
  assert.deepEqual(await rows("SELECT TOP 2 id FROM dev.dog ORDER BY id"), [{ id: 1 }, { id: 2 }]);
  assert.deepEqual(await rows("SELECT id FROM dev.dog ORDER BY id DESC LIMIT 2 OFFSET 1"), [{ id: 12 }, { id: 11 }]);
});

test("unaliased expressions are named as Harper names them", async () => {
  assert.deepEqual(await rows("SELECT COUNT(*) FROM dev.dog"), [{ "COUNT(*)": 13 }]);
  assert.deepEqual(await rows("SELECT id, age * 2 FROM dev.dog WHERE id < 3"), [{ id: 1, undefined: 10 }, { id: 2, undefined: 10 }]);
  assert.deepEqual(await rows("SELECT id, UPPER(dog_name) FROM dev.dog WHERE id < 3"), [{ id: 1, "UPPER(dog_name)": "PENNY" }, { id: 2, "UPPER(dog_name)": "HARPER" }]);
  assert.deepEqual(await rows("SELECT id, CONCAT(dog_name, '-', owner_name) FROM dev.dog WHERE id < 3"), [
    { id: 1, 'CONCAT(dog_name,"-",owner_name)': "Penny-Kyle" },
    { id: 2, 'CONCAT(dog_name,"-",owner_name)': "Harper-Stephen" },
  ]);
  assert.deepEqual(await rows("SELECT COUNT(id), COUNT(DISTINCT owner_name) FROM dev.dog"), [{ "COUNT(id)": 13, "COUNT(owner_name)": 9 }]);
  assert.deepEqual(await rows("SELECT GROUP_CONCAT(dog_name) FROM dev.dog WHERE owner_name = 'Kyle'"), [{ "REDUCE(dog_name)": "Penny,Kato" }]);
  assert.deepEqual(await rows("SELECT 1 + 1 AS two"), [{ two: 2 }]);
  assert.deepEqual(await rows("SELECT 'abc' AS s, 5 AS n"), [{ s: "abc", n: 5 }]);
  assert.deepEqual(await rows("SELECT 1 + 1"), [{ "1 + 1": 2 }]);
});

test("repeated names: the same column collapses, another table's column gets a suffix", async () => {
  assert.deepEqual(await rows("SELECT id, id FROM dev.dog WHERE id = 1"), [{ id: 1 }]);
  const joined = await rows("SELECT d.id, b.id, b.name, b.name FROM dev.dog d INNER JOIN dev.breed b ON d.breed_id = b.id WHERE d.id = 1");
  assert.deepEqual(joined, [{ id: 1, id1: 154, name: "Labrador" }]);
  assert.deepEqual(await rows("SELECT * FROM dev.dog d INNER JOIN dev.breed b ON d.breed_id = b.id WHERE d.id = 1"), [
    {
      id: 1, __createdtime__: "<ts>", __updatedtime__: "<ts>", dog_name: "Penny", owner_name: "Kyle", breed_id: 154, age: 5, weight_lbs: 35, adorable: true,
      id1: 154, __createdtime__1: "<ts>", __updatedtime__1: "<ts>", name: "Labrador", country: "Canada",
    },
  ]);
  const starAfter = await rows("SELECT d.*, b.name FROM dev.dog d INNER JOIN dev.breed b ON d.breed_id = b.id WHERE d.id = 1");
  assert.deepEqual(Object.keys(starAfter[0]!), ["name", "id", "__createdtime__", "__updatedtime__", "dog_name", "owner_name", "breed_id", "age", "weight_lbs", "adorable"]);
});

test("WHERE: LIKE ignores case, = is type- and case-strict, IN converts numeric strings", async () => {
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name LIKE 'b%'"), [4, 11]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name LIKE '_ato'"), [6]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name NOT LIKE '%e%' ORDER BY id"), [3, 4, 6, 7]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE owner_name IN ('Kyle', 'Zach') ORDER BY id"), [1, 4, 5, 6]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age BETWEEN 6 AND 8 ORDER BY id"), [5, 6, 10, 11, 13]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age NOT BETWEEN 3 AND 7 ORDER BY id"), [5, 11, 12]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age > 5 AND weight_lbs < 50"), [5, 6, 10]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age <> 5 ORDER BY id"), [4, 5, 6, 7, 10, 11, 12, 13]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age = '5'"), []);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age IN ('5') ORDER BY id"), [1, 2, 3, 8, 9]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name = 'penny'"), []);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE adorable = 'true' ORDER BY id LIMIT 2"), [1, 2]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name REGEXP '^[BK]' ORDER BY id"), [4, 6, 11]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name BETWEEN 'A' AND 'C' ORDER BY id"), [3, 4, 11]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE age = weight_lbs / 7"), [1]);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE id = '1'"), []);
  assert.deepEqual(await rows("SELECT id, name, country FROM dev.breed WHERE country IS NULL"), [{ id: 999, name: "Orphan", country: null }]);
});

test("GROUP BY, HAVING and the aggregates", async () => {
  assert.deepEqual(await rows("SELECT COUNT(*) AS c FROM dev.dog WHERE age > 5"), [{ c: 5 }]);
  assert.deepEqual(await rows("SELECT owner_name, COUNT(*) AS cnt FROM dev.dog GROUP BY owner_name ORDER BY cnt DESC, owner_name"), [
    { owner_name: "Kyle", cnt: 2 }, { owner_name: "Margo", cnt: 2 }, { owner_name: "Stephen", cnt: 2 }, { owner_name: "Zach", cnt: 2 },
    { owner_name: "Aron", cnt: 1 }, { owner_name: "David", cnt: 1 }, { owner_name: "Fred", cnt: 1 }, { owner_name: "Jaxon", cnt: 1 }, { owner_name: "Kaylan", cnt: 1 },
  ]);
  assert.deepEqual(await rows("SELECT owner_name, COUNT(*) FROM dev.dog GROUP BY owner_name HAVING COUNT(*) > 1"), [
    { owner_name: "Kyle", "COUNT(*)": 2 }, { owner_name: "Stephen", "COUNT(*)": 2 }, { owner_name: "Zach", "COUNT(*)": 2 }, { owner_name: "Margo", "COUNT(*)": 2 },
  ]);
  const byAge = await rows("SELECT age, AVG(weight_lbs), SUM(weight_lbs), MIN(weight_lbs), MAX(weight_lbs) FROM dev.dog GROUP BY age ORDER BY age");
  assert.deepEqual(byAge[0], { age: 2, "AVG(weight_lbs)": 60, "SUM(weight_lbs)": 60, "MIN(weight_lbs)": 60, "MAX(weight_lbs)": 60 });
  assert.deepEqual(byAge[3], { age: 5, "AVG(weight_lbs)": 56.8, "SUM(weight_lbs)": 284, "MIN(weight_lbs)": 35, "MAX(weight_lbs)": 84 });
  assert.deepEqual(await rows("SELECT AVG(age) AS a, SUM(age) AS s, MIN(dog_name) AS mn, MAX(dog_name) AS mx FROM dev.dog"), [{ a: 5.384615384615385, s: 70, mn: null, mx: null }]);
  assert.deepEqual(await rows("SELECT owner_name, ARRAY(dog_name) AS dogs FROM dev.dog GROUP BY owner_name ORDER BY owner_name LIMIT 2"), [
    { owner_name: "Aron", dogs: ["Monkey"] }, { owner_name: "David", dogs: ["Tucker"] },
  ]);
  assert.deepEqual(await rows("SELECT MEDIAN(weight_lbs) AS m, MEAN(weight_lbs) AS me, MODE(age) AS mo FROM dev.dog"), [{ m: 55, me: 50.07692307692308, mo: [5] }]);
  assert.deepEqual(await rows("SELECT MAX(age) AS m FROM dev.dog WHERE id > 100"), [{}]);
  assert.deepEqual(await rows("SELECT owner_name, COUNT(*) AS n FROM dev.dog WHERE id > 100 GROUP BY owner_name"), []);
  assert.deepEqual(await rows("SELECT UPPER(dog_name) AS u, COUNT(*) AS n FROM dev.dog WHERE id < 3 GROUP BY UPPER(dog_name)"), [{ u: "PENNY", n: 1 }, { u: "HARPER", n: 1 }]);
});

test("DISTINCT keeps first appearances in key order", async () => {
  assert.deepEqual((await rows("SELECT DISTINCT owner_name FROM dev.dog")).map((r) => r["owner_name"]), [
    "Kyle", "Stephen", "Kaylan", "Zach", "Fred", "Jaxon", "Aron", "Margo", "David",
  ]);
});

test("joins: inner, left, right and full, with nulls for the missing side", async () => {
  assert.deepEqual(await rows("SELECT d.id, d.dog_name, b.name FROM dev.dog AS d INNER JOIN dev.breed AS b ON d.breed_id = b.id ORDER BY d.id"), [
    { id: 1, dog_name: "Penny", name: "Labrador" }, { id: 2, dog_name: "Harper", name: "Husky" }, { id: 3, dog_name: "Alby", name: "Beagle" },
    { id: 4, dog_name: "Billy", name: "Poodle" }, { id: 5, dog_name: "Rose Merry", name: "Beagle" }, { id: 7, dog_name: "Simon", name: "Boxer" },
    { id: 12, dog_name: "Tucker", name: "Husky" }, { id: 13, dog_name: "Jagger", name: "Labrador" },
  ]);
  assert.deepEqual(await rows("SELECT d.id, b.name FROM dev.dog d LEFT JOIN dev.breed b ON d.breed_id = b.id WHERE d.id > 8 ORDER BY d.id"), [
    { id: 9, name: null }, { id: 10, name: null }, { id: 11, name: null }, { id: 12, name: "Husky" }, { id: 13, name: "Labrador" },
  ]);
  assert.deepEqual(await rows("SELECT d.id, b.id, b.name FROM dev.dog d RIGHT JOIN dev.breed b ON d.breed_id = b.id ORDER BY b.id"), [
    { id: 1, id1: 154, name: "Labrador" }, { id: 13, id1: 154, name: "Labrador" }, { id: 2, id1: 346, name: "Husky" }, { id: 12, id1: 346, name: "Husky" },
    { id: 4, id1: 347, name: "Poodle" }, { id: 3, id1: 348, name: "Beagle" }, { id: 5, id1: 348, name: "Beagle" }, { id: 7, id1: 349, name: "Boxer" },
    { id: null, id1: 999, name: "Orphan" },
  ]);
  const full = await rows("SELECT d.id, b.id, b.name FROM dev.dog d FULL OUTER JOIN dev.breed b ON d.breed_id = b.id");
  assert.deepEqual(full.map((r) => r["id"]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, null]);
  assert.deepEqual(full[5], { id: 6, id1: null, name: null });
  assert.deepEqual(full[13], { id: null, id1: 999, name: "Orphan" });
  assert.deepEqual(await rows("SELECT b.name, COUNT(*) AS n FROM dev.dog d INNER JOIN dev.breed b ON d.breed_id = b.id GROUP BY b.name ORDER BY n DESC, b.name"), [
    { name: "Beagle", n: 2 }, { name: "Husky", n: 2 }, { name: "Labrador", n: 2 }, { name: "Boxer", n: 1 }, { name: "Poodle", n: 1 },
  ]);
});

test("ORDER BY puts null first ascending and last descending", async () => {
  assert.deepEqual(await ids("SELECT id, country FROM dev.breed ORDER BY country"), [999, 154, 347, 349, 346, 348]);
  assert.deepEqual(await ids("SELECT id, country FROM dev.breed ORDER BY country DESC"), [348, 346, 349, 347, 154, 999]);
});

test("scalar functions of the catalogue", async () => {
  assert.deepEqual(await rows("SELECT LOWER(dog_name) AS l, UPPER(owner_name) AS u, LEN(dog_name) AS n FROM dev.dog WHERE id = 5"), [{ l: "rose merry", u: "ZACH", n: 10 }]);
  assert.deepEqual(await rows("SELECT SUBSTRING(dog_name, 1, 3) AS s, REPLACE(dog_name, 'e', 'E') AS r, TRIM('  x  ') AS t, INSTR(dog_name, 'e') AS i FROM dev.dog WHERE id = 5"), [
    { s: "Ros", r: "RosE MErry", t: "x", i: 4 },
  ]);
  assert.deepEqual(await rows("SELECT ABS(-5) AS a, CEIL(4.2) AS c, FLOOR(4.8) AS f, ROUND(4.567, 2) AS r, SQRT(16) AS s, EXP(0) AS e, POWER(2, 10) AS p"), [
    { a: 5, c: 5, f: 4, r: 4.57, s: 4, e: 1, p: 1024 },
  ]);
  assert.deepEqual(await rows("SELECT 7 / 2 AS d, 7 % 3 AS m, 1 / 0 AS z, 10 - 3 * 2 AS prec"), [{ d: 3.5, m: 1, z: null, prec: 4 }]);
  assert.deepEqual(await rows("SELECT IF(age > 5, 'old', 'young') AS x FROM dev.dog WHERE id IN (1, 5) ORDER BY id"), [{ x: "young" }, { x: "old" }]);
  assert.deepEqual(await rows("SELECT IFNULL(country, 'none') AS c FROM dev.breed WHERE id = 999"), [{ c: "none" }]);
  assert.deepEqual(await rows("SELECT NULLIF(1, 1) AS a, NULLIF(1, 2) AS b"), [{ b: 1 }]);
  assert.deepEqual(await rows("SELECT CAST('12' AS INT) AS i, CAST(12 AS STRING) AS s, CAST('1.5' AS FLOAT) AS f"), [{ i: 12, s: "12", f: 1.5 }]);
  assert.deepEqual(await rows("SELECT DATE('2021-01-25T23:05:27.464Z') AS d"), [{ d: "2021-01-25T23:05:27.464+0000" }]);
  assert.deepEqual(await rows("SELECT DATE_ADD('2021-01-25T23:05:27.464Z', 1, 'days') AS a, DATE_SUB('2021-01-25T23:05:27.464Z', 1, 'h') AS s"), [
    { a: 1611702327464, s: 1611612327464 },
  ]);
  assert.deepEqual(await rows("SELECT id, dog_name || '!' AS x FROM dev.dog WHERE id < 3"), [{ id: 1, x: "Penny!" }, { id: 2, x: "Harper!" }]);
});

test("standard CASE: the ELSE branch applies (Harper 4.7.29 drops it)", async () => {
  assert.deepEqual(await rows("SELECT id, CASE WHEN age > 5 THEN 'old' ELSE 'young' END AS x FROM dev.dog WHERE id IN (1, 5) ORDER BY id"), [
    { id: 1, x: "young" }, { id: 5, x: "old" },
  ]);
  assert.deepEqual(await rows("SELECT id, CASE age WHEN 5 THEN 'five' WHEN 8 THEN 'eight' END AS x FROM dev.dog WHERE id IN (1, 5, 4) ORDER BY id"), [
    { id: 1, x: "five" }, { id: 4 }, { id: 5, x: "eight" },
  ]);
});

test("nested attributes with -> and SEARCH_JSON", async () => {
  assert.deepEqual(await rows("SELECT id, info->year AS y FROM dev.movie ORDER BY id"), [{ id: 1, y: 2001 }, { id: 2, y: 1999 }]);
  assert.deepEqual(await rows("SELECT id, SEARCH_JSON('name', `cast`) AS names FROM dev.movie ORDER BY id"), [
    { id: 1, names: ["Actor A", "Actor B"] }, { id: 2, names: "Actor C" },
  ]);
  assert.deepEqual(await ids("SELECT id FROM dev.movie WHERE SEARCH_JSON('\"Actor A\" in name', `cast`)"), [1]);
  assert.deepEqual(await ids("SELECT id FROM dev.movie WHERE tags = 'b'"), []);
});

test("parse errors answer Harper's Invalid SQL excerpt", async () => {
  const at = async (statement: string, excerpt: string) => {
    const res = await sql(statement);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, `Invalid SQL at: ${excerpt}. Please ensure your SQL is valid. Try adding backticks to reserved words and schema table references.`);
  };
  await at("SELECT * FROM specA_db.sdog WHERE", "... specA_db.sdog WHERE");
  await at("SELEC * FROM specA_db.sdog", "SELEC * FROM specA_db.sdog");
  await at("SELECT COUNT(*) AS count FROM specA_db.movie", "SELECT COUNT(*) AS count FROM specA_db.");
  await at("SELECT id, cast FROM dev.movie WHERE id = 1", "SELECT id, cast FROM dev.movie WHERE");
  const lexer = await sql("SELECT * FROM dev.1num");
  assert.deepEqual(lexer, {
    status: 400,
    body: { error: "We had trouble parsing your request. Please ensure your SQL is valid. Try adding backticks to reserved words and schema table references." },
  });
});

test("client mistakes answer 4xx with Harper's messages", async () => {
  const check = async (statement: string, status: number, error: string) => assert.deepEqual(await sql(statement), { status, body: { error } }, statement);
  await check("SELECT * FROM dog", 400, "schema not defined for table dog");
  await check("SELECT * FROM dev.nosuchtable", 404, "Table 'dev.nosuchtable' does not exist");
  await check("SELECT * FROM nosuchdb.dog", 404, "database 'nosuchdb' does not exist");
  await check("SELECT id, nonexistent FROM dev.dog WHERE id = 1", 400, "unknown column nonexistent");
  await check("SELECT ID FROM dev.dog", 400, "unknown column ID");
  await check("SELECT d.x FROM dev.dog d", 400, "unknown column d.x");
  await check("SELECT id FROM dev.dog d INNER JOIN dev.breed b ON d.breed_id = b.id WHERE id = 1", 400, "ambiguous column reference id");
  await check("SELECT id, age FROM dev.dog GROUP BY age", 400, "select column 'id' must be in group by");
  await check("SELECT COUNT(*) AS c FROM dev.dog GROUP BY age", 400, "group by column 'age' must be in select");
  await check("SELECT COUNT(*) AS c FROM dev.dog GROUP BY nope", 400, "unknown column 'nope' in group by");
  await check("CREATE TABLE dev.x (id INT)", 400, "unsupported SQL type create in SQL: [object Object]");
  await check("SELECT\nid FROM dev.dog", 400, "unsupported SQL type select\nid in SQL: [object Object]");
  assert.equal((await sql("SELECT id FROM dev.dog WHERE id IN (SELECT id FROM dev.breed)")).status, 400);
  assert.equal((await sql("SELECT id FROM dev.dog UNION SELECT id FROM dev.breed")).status, 400);
  assert.equal((await sql("SELECT d.id FROM dev.dog d, dev.breed b")).status, 400);
  assert.deepEqual(await post({ operation: "sql" }), { status: 400, body: { error: "The 'sql' parameter is missing from the request body" } });
  assert.deepEqual(await post({ operation: "sql", sql: "" }), { status: 400, body: { error: "The 'sql' parameter is missing from the request body" } });
});

test("only the first statement runs; a trailing semicolon and comments are fine", async () => {
  assert.deepEqual(await rows("SELECT id FROM dev.dog WHERE id = 1; DELETE FROM dev.dog"), [{ id: 1 }]);
  assert.equal((await rows("SELECT id FROM dev.dog")).length, 13);
  assert.deepEqual(await rows("SELECT id FROM dev.dog WHERE id = 2; -- the second"), [{ id: 2 }]);
});

test("INSERT, UPDATE and DELETE answer the NoSQL summaries and write through the core", async () => {
  await post({ operation: "create_table", database: "dev", table: "note", primary_key: "id" });
  assert.deepEqual((await sql("INSERT INTO dev.note (id, body, n) VALUES (1, 'it''s', 1), (2, 'b', null)")).body, {
    message: "inserted 2 of 2 records", inserted_hashes: [1, 2], skipped_hashes: [],
  });
  assert.deepEqual((await sql("INSERT INTO dev.note (id, body) VALUES (1, 'again')")).body, { message: "inserted 0 of 1 records", inserted_hashes: [], skipped_hashes: [1] });
  const generated = (await sql("INSERT INTO dev.note (body) VALUES ('generated')")).body;
  assert.deepEqual({ ...generated, inserted_hashes: generated.inserted_hashes.map((k: unknown) => typeof k) }, { message: "inserted 1 of 1 records", inserted_hashes: ["number"], skipped_hashes: [] });
  assert.deepEqual(await rows(`SELECT body FROM dev.note WHERE id = ${generated.inserted_hashes[0]}`), [{ body: "generated" }]);
  assert.deepEqual((await sql("UPDATE dev.note SET n = n + 1, extra = UPPER(body) WHERE id = 1")).body, { message: "updated 1 of 1 records", update_hashes: [1], skipped_hashes: [] });
  assert.deepEqual(await rows("SELECT id, body, n, extra FROM dev.note WHERE id = 1"), [{ id: 1, body: "it's", n: 2, extra: "IT'S" }]);
  assert.deepEqual((await sql("UPDATE dev.note SET body = 'x' WHERE id = 999")).body, { message: "updated 0 of 0 records", update_hashes: [], skipped_hashes: [] });
  assert.deepEqual((await sql("UPDATE dev.note SET id = 100 WHERE id = 2")).body, { message: "updated 0 of 1 records", update_hashes: [], skipped_hashes: [100] });
  assert.deepEqual((await sql("DELETE FROM dev.note WHERE id IN (1, 2, 999)")).body, { message: "2 of 2 records successfully deleted", deleted_hashes: [1, 2], skipped_hashes: [] });
  assert.deepEqual((await sql("DELETE FROM dev.note WHERE id = 1")).body, { message: "0 of 0 records successfully deleted", deleted_hashes: [], skipped_hashes: [] });
  assert.equal((await rows("SELECT * FROM dev.note")).length, 1);
  assert.deepEqual((await sql("DELETE FROM dev.note")).body.message, "1 of 1 record successfully deleted");
  const search = await post({ operation: "search_by_value", database: "dev", table: "note", search_attribute: "id", search_value: "*", get_attributes: ["id"] });
  assert.deepEqual(search.body, []);
});

test("DML errors: unknown tables, system writes, bad inserts, and nothing written on failure", async () => {
  const check = async (statement: string, status: number, error?: string) => {
    const res = await sql(statement);
    assert.equal(res.status, status, `${statement}: ${JSON.stringify(res.body)}`);
    if (error !== undefined) assert.equal(res.body.error, error);
  };
  await check("INSERT INTO dev.nope (id) VALUES (1)", 400, "Table 'dev.nope' does not exist");
  await check("INSERT INTO nodb.t (id) VALUES (1)", 400, "database 'nodb' does not exist");
  await check("INSERT INTO dog (id) VALUES (1)", 400, "Table 'data.dog' does not exist");
  await check("UPDATE nodb.t SET x = 1", 404, "schema nodb does not exist");
  await check("UPDATE dev.nope SET x = 1", 404, "table dev.nope does not exist");
  await check("DELETE FROM dev.nope WHERE id = 1", 404, "table dev.nope does not exist");
  await check("DELETE FROM system.hdb_user", 403, "The 'system' database, tables and records are used internally by HarperDB and cannot be updated or removed.");
  await check("UPDATE dev.dog SET age = 1 WHERE nope = 1", 400, "unknown column nope");
  await check("INSERT INTO dev.dog (id, dog_name) VALUES (50)", 400);
  await check("INSERT INTO dev.dog (id, dog_name) VALUES (51, 'ok'), (52)", 400);
  await check("INSERT INTO dev.dog VALUES (53)", 400);
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE id > 13"), []);
  const system = await sql("INSERT INTO system.hdb_user (username) VALUES ('x')");
  assert.equal(system.status, 403);
  assert.deepEqual(system.body.unauthorized_access, [{ schema: "system", table: "hdb_user", required_table_permissions: ["insert"], required_attribute_permissions: [] }]);
  assert.equal((await rows("SELECT username FROM system.hdb_user")).length >= 1, true);
});

test("a function that refuses its arguments answers 400 with its message, not 500", async () => {
  const res = await sql("SELECT SEARCH_JSON('', `cast`) AS x FROM dev.movie");
  assert.deepEqual(res, { status: 400, body: { error: "search json expression must be a non-empty string" } });
});

test("grouping over one column reads its index and still answers groups in key order, arrays and gaps included", async () => {
  assert.deepEqual((await rows("SELECT owner_name, COUNT(*) AS n FROM dev.dog GROUP BY owner_name")).map((r) => `${r["owner_name"]}:${r["n"]}`), [
    "Kyle:2", "Stephen:2", "Kaylan:1", "Zach:2", "Fred:1", "Jaxon:1", "Aron:1", "Margo:2", "David:1",
  ]);
  assert.deepEqual(await rows("SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM dev.dog"), [{ n: 13, lo: 1, hi: 13 }]);
  assert.deepEqual(await rows("SELECT tags, COUNT(*) AS n FROM dev.movie GROUP BY tags"), [{ tags: ["a", "b"], n: 1 }, { tags: ["c"], n: 1 }]);
  await post({ operation: "insert", database: "dev", table: "breed", records: [{ id: 1000, name: "Mutt" }] });
  assert.deepEqual(await rows("SELECT country, COUNT(*) AS n FROM dev.breed GROUP BY country ORDER BY n DESC, country"), [
    { country: null, n: 2 }, { country: "Canada", n: 1 }, { country: "France", n: 1 }, { country: "Germany", n: 1 }, { country: "Russia", n: 1 }, { country: "UK", n: 1 },
  ]);
  await post({ operation: "delete", database: "dev", table: "breed", ids: [1000] });
});

test("SQL writes stamp records as NoSQL writes do: an UPDATE moves __updatedtime__ only", async () => {
  await post({ operation: "create_table", database: "dev", table: "stamp", primary_key: "id" });
  await sql("INSERT INTO dev.stamp (id, v) VALUES (1, 1)");
  const read = async () => (await sql("SELECT * FROM dev.stamp WHERE id = 1")).body[0] as Row;
  const before = await read();
  assert.equal(typeof before["__createdtime__"], "number");
  assert.equal(before["__createdtime__"], before["__updatedtime__"]);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await sql("UPDATE dev.stamp SET v = 2 WHERE id = 1");
  const afterUpdate = await read();
  assert.equal(afterUpdate["__createdtime__"], before["__createdtime__"]);
  assert.ok((afterUpdate["__updatedtime__"] as number) > (before["__updatedtime__"] as number));
  const nosql = await post({ operation: "search_by_id", database: "dev", table: "stamp", ids: [1], get_attributes: ["*"] });
  assert.deepEqual(nosql.body, [afterUpdate]);
});

test("ORDER BY the primary key reads in key order and stops at the page, and keys of mixed types still sort as JavaScript compares them", async () => {
  assert.deepEqual(await ids("SELECT id FROM dev.dog WHERE dog_name LIKE '%e%' ORDER BY id DESC LIMIT 3"), [13, 12, 11]);
  assert.deepEqual(await ids("SELECT d.id FROM dev.dog AS d ORDER BY d.id LIMIT 2 OFFSET 11"), [12, 13]);
  await post({ operation: "create_table", database: "dev", table: "mixed", primary_key: "id" });
  await post({ operation: "insert", database: "dev", table: "mixed", records: [{ id: 5 }, { id: "3" }, { id: 1 }] });
  assert.deepEqual(await ids("SELECT id FROM dev.mixed ORDER BY id"), [1, "3", 5]);
  assert.deepEqual(await ids("SELECT id FROM dev.mixed ORDER BY id DESC LIMIT 1"), [5]);
});
