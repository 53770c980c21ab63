import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../src/main.js";
import { poster, startTestServer, stopTestServer } from "./server-fixture.js";

// NoSQL search answers recorded from a real HarperDB 4.7.29, with the same two tables loaded there
// (a dynamic table `t` and a schema-defined table `ty`). Where Harper yields a record once per
// matching element of an array value, the expected list keeps its first occurrence (harper-ops
// returns every record once, docs/compatibility.md); where Harper answers 500, harper-ops answers
// 400 (noted "500 there").

let server: RunningServer;
let root: string;
const post = poster(() => server);
const db = "hnosql";

const dynamicRecords = [
  { id: 1, n: 5, s: "apple", b: true, d: "2020-01-01T00:00:00.000Z", arr: [1, 2, 3], o: { x: 1 }, tags: ["a", "b"] },
  { id: 2, n: -3.5, s: "Apple", b: false, d: "2021-06-15T12:00:00.000Z", arr: ["x", "y"], tags: ["b", "c"] },
  { id: 3, n: 0, s: "", b: null, d: null, arr: [], o: null },
  { id: 4, n: "5", s: "5", b: "true" },
  { id: 5, n: null, s: null, o: { y: [1] } },
  { id: 6, s: "éclair", n: 10, arr: [5], tags: ["a"] },
  { id: 7, n: 100.25, s: "banana split", b: true, tags: [] },
  { id: 8, n: 2, s: "Zebra*", arr: [2, "2"], d: "2020-01-01" },
  { id: 9, n: 1e21, s: "日本語", b: false },
  { id: 10, n: -0.5, s: "a*b", o: [{ x: 1 }] },
  { id: "k1", n: 7, s: "kiwi" },
  { id: "K2", n: "abc", s: "Kiwi" },
  { id: 11, n: true, s: "true" },
  { id: 12, n: false, s: "null" },
  { id: 13, n: [5, 10], s: ["apple", "pear"] },
  { id: 14, n: 3, s: "app" },
  { id: 0, n: 1, s: "zero" },
  { id: -1, n: 4, s: "minus" },
  { id: 1.5, n: 6, s: "onefive" },
];

const typedRecords = [
  { id: 1, name: "a", age: 30, price: 1.5, active: true, born: "2020-01-01T00:00:00.000Z", tags: ["x", "y"], extra: "e1" },
  { id: 2, name: "b", age: 25, price: 2, active: false, born: "2021-05-05T00:00:00.000Z" },
  { id: 3, name: "c", age: null, price: null, active: null, born: null },
  { id: 4, name: "d", age: 40, price: -1.25, active: true, born: "2019-07-07T12:00:00.000Z", tags: [] },
  { id: 5, name: "e" },
];
const typedAttributes = [
  { name: "id", type: "Int", isPrimaryKey: true },
  { name: "name", type: "String", indexed: true },
  { name: "age", type: "Int", indexed: true },
  { name: "price", type: "Float", indexed: true },
  { name: "active", type: "Boolean", indexed: true },
  { name: "born", type: "Date", indexed: true },
  { name: "tags", type: "Any", indexed: true },
  { name: "extra", type: "String" },
];

before(async () => {
  ({ server, root } = await startTestServer());
  assert.equal((await post({ operation: "create_table", database: db, table: "t", primary_key: "id" })).status, 200);
  assert.equal((await post({ operation: "insert", database: db, table: "t", records: dynamicRecords })).status, 200);
  const typed = { operation: "create_table", database: db, table: "ty", primary_key: "id", attributes: typedAttributes };
  assert.equal((await post(typed)).status, 200);
  assert.equal((await post({ operation: "insert", database: db, table: "ty", records: typedRecords })).status, 200);
});

after(async () => {
  await stopTestServer(server, root);
});

/** The ids a search answers (the status must be 200). */
async function idsOf(body: Record<string, unknown>): Promise<unknown[]> {
  const answer = await post({ database: db, get_attributes: ["id"], ...body });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return (answer.body as Array<{ id: unknown }>).map((record) => record.id);
}
const byValue = (table: string, attribute: string, value: unknown, more: Record<string, unknown> = {}) =>
  idsOf({ operation: "search_by_value", table, attribute, value, ...more });
const byConditions = (table: string, conditions: unknown[], more: Record<string, unknown> = {}) =>
  idsOf({ operation: "search_by_conditions", table, conditions, ...more });
const where = (attribute: string, comparator: string, value: unknown) => ({ attribute, comparator, value });

test("search_by_value ** is contains of the empty string: every value from true up, not every record", async () => {
  assert.deepEqual(await byValue("t", "n", "**"), [11, 2, 10, 3, 0, 8, 14, -1, 1, 13, 1.5, "k1", 6, 7, 9, 4, "K2"]);
  assert.deepEqual(await byValue("t", "b", "**"), [1, 7, 4]);
  assert.deepEqual(await byValue("t", "o", "**"), []);
});

test("contains and ends_with walked alone leave out null and false; tested on the record they match false by its text", async () => {
  assert.deepEqual(await byConditions("t", [where("n", "contains", "a")]), ["K2"]);
  assert.deepEqual(await byConditions("t", [where("n", "contains", "e")]), [11, 9]);
  assert.deepEqual(await byConditions("t", [where("b", "contains", "al")]), []);
  assert.deepEqual(await byValue("t", "b", "*e"), [1, 7, 4]);
  assert.deepEqual(await byValue("t", "n", "*a*"), ["K2"]);
  // Beside a condition Harper walks instead, contains/ends_with are tested on the record.
  assert.deepEqual(await byConditions("t", [where("b", "contains", "al"), where("id", "greater_than", -100)]), [2, 9]);
  assert.deepEqual(await byConditions("t", [where("b", "ends_with", "se"), where("id", "less_than", 5)]), [2]);
  // Of two, the first is walked and the second tested on what it finds.
  assert.deepEqual(await byConditions("t", [where("n", "contains", "a"), where("n", "ends_with", "e")]), []);
  // In an or, each member is walked.
  assert.deepEqual(await byConditions("t", [where("b", "contains", "al"), where("id", "equals", 3)], { operator: "or" }), [3]);
});

test("contains, ends_with and starts_with read a null, boolean or array value as its text", async () => {
  assert.deepEqual(await byConditions("t", [where("s", "contains", null)]), [12]);
  assert.deepEqual(await byConditions("t", [where("s", "ends_with", null)]), [12]);
  assert.deepEqual(await byConditions("t", [where("n", "contains", [2])]), [8, 7, 9]);
  assert.deepEqual(await byConditions("t", [where("arr", "contains", [2])]), [1, 8]);
  assert.deepEqual(await byConditions("t", [where("n", "ends_with", [2])]), [8]);
  assert.deepEqual(await byConditions("t", [where("arr", "starts_with", [2])]), [8]);
  assert.deepEqual(await byConditions("t", [where("s", "contains", true)]), [11]);
});

test("starts_with null is answered 400 (500 there)", async () => {
  const answer = await post({ operation: "search_by_conditions", database: db, table: "t", conditions: [where("s", "starts_with", null)] });
  assert.equal(answer.status, 400);
  // Harper 4.7.29: 500 "Cannot read properties of null (reading 'toString')".
  assert.deepEqual(answer.body, { error: "Search condition for s with comparator 'starts_with' must have a value that is not null" });
});

test("search_by_value *x and *x* answer in index order, an array value at its first matching element, desc backwards", async () => {
  assert.deepEqual(await byValue("t", "n", "*1*"), [0, 6, 13, 7, 9]);
  assert.deepEqual(await byValue("t", "tags", "*a"), [1, 6]);
  assert.deepEqual(await byValue("t", "tags", "*a*"), [1, 6]);
  assert.deepEqual(await byValue("t", "s", "*p*", { desc: true }), [13, 7, 1, 14, 2]);
  assert.deepEqual(await byValue("t", "s", "*p*", { reverse: true }), [13, 7, 1, 14, 2]);
});

test("get_attributes with * after a name answers that name, then every stored property, in search_by_value and search_by_conditions", async () => {
  const byValueAnswer = await post({ operation: "search_by_value", database: db, table: "t", attribute: "n", value: 5, get_attributes: ["s", "*"] });
  assert.equal(byValueAnswer.status, 200);
  const [first, second] = byValueAnswer.body as Array<Record<string, unknown>>;
  // Harper's order of the other properties is its storage order; the keys and values are these.
  assert.equal(Object.keys(first!)[0], "s");
  const { __createdtime__: c1, __updatedtime__: u1, ...rest1 } = first!;
  assert.equal(typeof c1, "number");
  assert.equal(typeof u1, "number");
  assert.deepEqual(rest1, { s: "apple", id: 1, n: 5, arr: [1, 2, 3], o: { x: 1 }, tags: ["a", "b"], b: true, d: "2020-01-01T00:00:00.000Z" });
  assert.deepEqual(Object.keys(second!).sort(), ["__createdtime__", "__updatedtime__", "id", "n", "s"]);
  const conditions = [where("s", "equals", "kiwi")];
  const byConditionsAnswer = await post({ operation: "search_by_conditions", database: db, table: "t", conditions, get_attributes: ["s", "*", "n"] });
  const [kiwi] = byConditionsAnswer.body as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(kiwi!).slice(0, 3), ["s", "id", "n"]);
  assert.deepEqual(Object.keys(kiwi!).sort(), ["__createdtime__", "__updatedtime__", "id", "n", "s"]);
  // search_by_id reads `*` after a name as an attribute named `*`.
  const byId = await post({ operation: "search_by_id", database: db, table: "t", ids: ["k1"], get_attributes: ["s", "*"] });
  assert.deepEqual(byId.body, [{ s: "kiwi", "*": null }]);
});

test("search_by_value converts the value to the type of a typed attribute, the primary key included", async () => {
  assert.deepEqual(await byValue("ty", "age", "30"), [1]);
  assert.deepEqual(await byValue("ty", "price", "1.5"), [1]);
  assert.deepEqual(await byValue("ty", "active", "true"), [1, 4]);
  assert.deepEqual(await byValue("ty", "active", "yes"), []);
  assert.deepEqual(await byValue("ty", "born", "2020-01-01T00:00:00.000Z"), [1]);
  assert.deepEqual(await byValue("ty", "id", "2"), [2]);
  assert.deepEqual(await byValue("ty", "age", "*3*"), [1]);
  assert.deepEqual(await byValue("ty", "born", "2020*"), []);
  const bad = (attribute: string, value: unknown) => post({ operation: "search_by_value", database: db, table: "ty", attribute, value });
  assert.deepEqual(await bad("born", "*Z"), { status: 400, body: { error: 'Invalid value for attribute born: "Z", expecting Date' } });
  assert.deepEqual(await bad("age", "x*"), { status: 400, body: { error: 'Invalid value for attribute age: "x", expecting Int' } });
  assert.deepEqual(await bad("id", "a"), { status: 400, body: { error: 'Invalid value for attribute id: "a", expecting Int' } });
});

test("condition values on typed attributes: null stays null, Boolean keeps other text, Int refuses fractions and booleans", async () => {
  assert.deepEqual(await byConditions("ty", [where("age", "equals", null)]), [3]);
  assert.deepEqual(await byConditions("ty", [where("active", "equals", "yes")]), []);
  assert.deepEqual(await byConditions("ty", [where("active", "equals", "TRUE")]), [1, 4]);
  assert.deepEqual(await byConditions("ty", [where("age", "equals", "$u")]), [1]);
  assert.deepEqual(await byConditions("ty", [where("price", "equals", true)]), []);
  assert.deepEqual(await byConditions("ty", [where("name", "equals", "")]), []);
  assert.deepEqual(await byConditions("ty", [where("tags", "equals", "x")]), [1]);
  assert.deepEqual(await byConditions("ty", [where("born", "equals", "2020-01-01T00:00:00")]), [1]);
  assert.deepEqual(await byConditions("ty", [where("born", "less_than", 1577836800001)]), [4, 1]);
  const bad = (attribute: string, value: unknown) =>
    post({ operation: "search_by_conditions", database: db, table: "ty", conditions: [where(attribute, "equals", value)] });
  assert.deepEqual(await bad("age", 2.5), { status: 400, body: { error: 'Invalid value for attribute age: "2.5", expecting Int' } });
  assert.deepEqual(await bad("age", true), { status: 400, body: { error: 'Invalid value for attribute age: "true", expecting Int' } });
  assert.deepEqual(await bad("born", "nope"), { status: 400, body: { error: 'Invalid value for attribute born: "nope", expecting Date' } });
});

test("a condition on an attribute without index is tested on the record: not_equal matches missing values", async () => {
  assert.deepEqual(await byConditions("ty", [where("extra", "not_equal", "e1")]), [2, 3, 4, 5]);
  assert.deepEqual(await byConditions("ty", [where("extra", "not_equal", "zz")]), [1, 2, 3, 4, 5]);
  assert.deepEqual(await byConditions("ty", [where("extra", "contains", "1")]), [1]);
});
