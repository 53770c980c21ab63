import { test } from "node:test";
import assert from "node:assert/strict";
import { fromJson, toBinary, fromBinary, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { plainOfValue, valueOfPlain } from "../src/contract/json-value.js";

const samples: unknown[] = [
  null,
  true,
  0,
  -1.5,
  "text",
  [],
  {},
  [1, "a", null, [false], { x: { y: [2] } }],
  { id: 1, __createdtime__: 1795710843371.98, nested: { a: [1, 2, { b: null }] }, empty: "" },
];

test("a Value built directly equals protobuf-es' own, on the wire and in JSON", () => {
  for (const sample of samples) {
    const direct = valueOfPlain(sample);
    const reflected = fromJson(ValueSchema, sample as never);
    assert.deepEqual(toJson(ValueSchema, direct), toJson(ValueSchema, reflected));
    assert.deepEqual(toBinary(ValueSchema, direct), toBinary(ValueSchema, reflected));
    assert.deepEqual(plainOfValue(fromBinary(ValueSchema, toBinary(ValueSchema, direct))), sample);
  }
});

test("values JSON cannot hold print as JSON.stringify prints them", () => {
  const plain = { a: undefined, b: Infinity, c: NaN, d: new Date(0), e: 10n, f: [undefined, 1] };
  assert.deepEqual(plainOfValue(valueOfPlain(plain)), { b: null, c: null, d: "1970-01-01T00:00:00.000Z", e: 10, f: [null, 1] });
});
