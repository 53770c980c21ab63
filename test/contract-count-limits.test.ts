import { test } from "node:test";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import assert from "node:assert/strict";
import { SearchByConditionsRequestSchema } from "../gen/harper/v1/nosql_service_pb.js";
import { isBodyError, requestFromHarperJson } from "../src/contract/index.js";

// The contract bounds search_by_conditions' `conditions` by operationsApi.limits.conditions
// (`count_limit`): the JSON adapter counts them, groups and nested ones included, before it
// converts the body.

const condition = (value: number) => ({ attribute: "a", value });
const body = (conditions: JsonValue[]): JsonObject => ({ operation: "search_by_conditions", table: "t", conditions });
const message = "search_by_conditions has more than 5 conditions (groups and nested conditions included), the limit (operationsApi.limits.conditions)";

function refusal(json: JsonObject): string | undefined {
  try {
    requestFromHarperJson(SearchByConditionsRequestSchema, json, { conditions: 5 });
    return undefined;
  } catch (error) {
    assert.ok(isBodyError(error));
    return error.message;
  }
}

test("a body with more conditions than the limit, nested ones counted, is refused before it is converted", () => {
  assert.equal(refusal(body([1, 2, 3, 4, 5, 6].map(condition))), message);
  // 2 groups + 4 nested conditions = 6.
  assert.equal(refusal(body([{ operator: "or", conditions: [condition(1), condition(2)] }, { conditions: [condition(3), condition(4)] }])), message);
  // Items that are not objects are counted, and left to the conversion's own message.
  assert.equal(refusal(body(Array.from({ length: 200_000 }, (_, i) => i))), message);
});

test("a body within the limit converts, and without limits nothing is counted", () => {
  assert.equal(refusal(body([1, 2, 3, 4, 5].map(condition))), undefined);
  assert.equal(refusal(body([{ conditions: [condition(1), condition(2)] }, condition(3), condition(4)])), undefined);
  const many = requestFromHarperJson(SearchByConditionsRequestSchema, body([1, 2, 3, 4, 5, 6, 7].map(condition)));
  assert.equal(many.conditions.length, 7);
});
