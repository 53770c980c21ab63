import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { equals } from "@bufbuild/protobuf";
import type { DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import {
  buildOperationTable,
  isBodyError,
  messageFromHarperJson,
  requestFromHarperJson,
  responseToHarperJson,
  services,
} from "../src/contract/index.js";
import type { OperationEntry } from "../src/contract/index.js";
import { loadExpectations } from "./conformance/expectations.js";
import { getAt } from "./conformance/json-pointer.js";
import { resolveTemplate } from "./conformance/templates.js";
import type { Variables } from "./conformance/templates.js";
import { isRawBody, loadScenarios } from "./conformance/transcript.js";
import type { Step } from "./conformance/transcript.js";

// The golden transcripts recorded from HarperDB 4.7.29 (test/fixtures/conformance, copied from
// ../shared/conformance) hold real requests and answers for every category. Without a server, the
// contract layer must agree with every step of them:
//  - a request reaches an operation of the dispatch table exactly when Harper did not answer
//    `Operation '<name>' not found`; the steps that reach no operation at all (bodies that are not
//    JSON objects, no string `operation`, unknown names) are deliberate bad input answered 4xx;
//  - a request parses into its request message, except exactly the steps Harper answered with a
//    wrong-type error (`'<key>' must be a <type>`), where parsing fails with that very text (4xx);
//  - the legacy field names of the spec (`schema`, `hash_values`, `search_attribute`...) read
//    into the same message as the field's own name, and only the keys the transcripts send on
//    purpose as noise are ignored;
//  - every successful answer reads into the response message and renders back as the same JSON.
// Placeholders are filled the way the replayer fills them (test/conformance/templates.ts).

const table = buildOperationTable(services);
const scenarios = loadScenarios(new URL("../../test/fixtures/conformance/transcripts/", import.meta.url));
const { differences } = loadExpectations(new URL("../../test/conformance/", import.meta.url));

/** The legacy keys of spec INDEX-A "Conventions shared by A-files" and the field each stands for. */
const specAliases: Readonly<Record<string, string>> = {
  schema: "database",
  hash_values: "ids",
  hash_attribute: "primary_key",
  search_attribute: "attribute",
  search_value: "value",
  search_type: "comparator",
  select: "get_attributes",
};

/** Harper's wrong-JSON-type message, which the contract layer gives before any handler runs. */
const typeError = /^'[^']+' must be an? (string|number|boolean|array|object)$/;

const notFound = (name: string): JsonValue => ({ error: `Operation '${name}' not found` });

// What every scenario test below collects, checked as a whole by the last tests.
const noOperation: string[] = []; // "<scenario> / <step>" of requests that reach no operation
const bodyErrors: string[] = []; // "<scenario> / <step>: <message>" of requests that do not parse
const ignoredKeys: string[] = []; // "<scenario> / <step>: <key>" of keys that change nothing
const aliasesUsed = new Set<string>();
let roundTrips = 0;
let successes = 0;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The message a field holds (singular or repeated), unless it is a well-known type. */
function ownMessage(field: DescField): DescMessage | undefined {
  const message = field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message") ? field.message : undefined;
  return message && !message.typeName.startsWith("google.protobuf.") ? message : undefined;
}

/**
 * The body with every legacy key of `specAliases` renamed to the field it stands for, where the
 * message has that field and not the legacy key itself, at every level of our own messages. Uses
 * the descriptors' field names only, not the alias options under test.
 */
function spelledOut(message: DescMessage, json: JsonValue, used: Set<string>): JsonValue {
  if (!isObject(json)) return json;
  const fields = new Map(message.fields.map((field) => [field.name, field]));
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const canonical = specAliases[key];
    let name = key;
    if (!fields.has(key) && canonical !== undefined && fields.has(canonical) && !Object.hasOwn(json, canonical)) {
      used.add(key);
      name = canonical;
    }
    const field = fields.get(name);
    const inner = field && ownMessage(field);
    if (!inner) out[name] = value;
    else if (field.fieldKind === "list") out[name] = Array.isArray(value) ? value.map((item) => spelledOut(inner, item, used)) : value;
    else out[name] = spelledOut(inner, value, used);
  }
  return out;
}

/** The JSON object a step sends, when it sends one: its request, or its raw body when that parses to an object. */
function sentObject(step: Step, variables: Variables): JsonObject | undefined {
  if (!isRawBody(step.request)) {
    const body = resolveTemplate(step.request, variables);
    return isObject(body) ? body : undefined;
  }
  try {
    const body = JSON.parse(String(resolveTemplate(step.request.raw, variables))) as JsonValue;
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The request's checks: parses exactly unless Harper answered a type error, aliases, ignored keys. */
function checkRequest(where: string, entry: OperationEntry, body: JsonObject, status: number, response: JsonValue): void {
  const input = entry.method.input;
  const recordedTypeError = isObject(response) && typeof response["error"] === "string" && typeError.test(response["error"]);
  let parsed;
  try {
    parsed = requestFromHarperJson(input, body);
  } catch (error) {
    assert.ok(isBodyError(error), `${where}: parsing threw ${String(error)}, not a BodyError`);
    assert.ok(status >= 400 && status < 500, `${where}: a body that does not parse must be bad input (4xx), recorded ${status}`);
    assert.deepEqual({ error: error.message }, response, `${where}: the body error is not the one Harper answered`);
    bodyErrors.push(`${where}: ${error.message}`);
    return;
  }
  assert.ok(!recordedTypeError, `${where}: Harper answered ${JSON.stringify(response)} but the body parses`);

  const used = new Set<string>();
  const spelled = spelledOut(input, body, used) as JsonObject;
  if (used.size > 0) {
    for (const alias of used) aliasesUsed.add(alias);
    assert.ok(
      equals(input, parsed, requestFromHarperJson(input, spelled)),
      `${where}: the legacy keys ${[...used].join(", ")} do not read as the fields they stand for`,
    );
  }

  for (const key of Object.keys(body)) {
    if (key === "operation") continue;
    const without = { ...body };
    delete without[key];
    if (equals(input, parsed, requestFromHarperJson(input, without))) ignoredKeys.push(`${where}: ${key}`);
  }
}

/** A successful answer reads into the response message and renders back unchanged. */
function checkRoundTrip(where: string, entry: OperationEntry, response: JsonValue): void {
  const output = entry.method.output;
  let message;
  try {
    message = messageFromHarperJson(output, response);
  } catch (error) {
    assert.fail(`${where}: the answer does not read into ${output.typeName}: ${String(error)}`);
  }
  assert.deepEqual(responseToHarperJson(output, message), response, `${where}: the answer does not render back as recorded`);
  roundTrips++;
}

for (const scenario of scenarios) {
  test(`every request and answer of ${scenario.scenario} maps onto the dispatch table and its messages as recorded`, () => {
    const variables: Variables = { $dir: "/tmp/harper-ops-transcripts" };
    for (const step of scenario.steps) {
      const where = `${scenario.scenario} / ${step.name}`;
      const difference = differences[scenario.scenario]?.[step.name];
      // Where harper-ops is right and Harper is not, the list names the status (and body) to expect.
      const status = difference?.status ?? step.status;
      const response = (difference?.body as JsonValue | undefined) ?? step.response;
      for (const [name, value] of Object.entries(step.let ?? {})) {
        variables[name] = value === "$now" ? Date.now() : value === "$uuid" ? randomUUID() : value;
      }

      const body = sentObject(step, variables);
      const name = body?.["operation"];
      const entry = typeof name === "string" ? table.lookup(name) : undefined;
      if (!entry) {
        noOperation.push(where);
        assert.ok(status >= 400 && status < 500, `${where} reaches no operation, so it must be bad input (4xx), not ${status}`);
        if (typeof name === "string") {
          assert.equal(step.status, 400, `${where}: '${name}' is no operation of the table, but Harper found it`);
          assert.deepEqual(step.response, notFound(name), `${where}: '${name}' is no operation of the table, but Harper found it`);
        }
      } else {
        assert.notDeepEqual(step.response, notFound(name as string), `${where}: Harper has no '${name}', the table does`);
        checkRequest(`${where} (${entry.name})`, entry, body!, status, response);
        if (status === 200) {
          successes++;
          checkRoundTrip(`${where} (${entry.name})`, entry, response);
        }
      }

      for (const [variable, source] of Object.entries(step.bind ?? {})) {
        if (source === "$now") variables[variable] = Date.now();
        else if (source === "$uuid") variables[variable] = randomUUID();
        else variables[variable] = getAt(step.response, source) ?? null;
      }
    }
  });
}

test("every successful step, and every 200 answer harper-ops gives where Harper has a bug, round-trips through its response message", () => {
  const recorded200 = scenarios.flatMap((s) => s.steps.filter((step) => (differences[s.scenario]?.[step.name]?.status ?? step.status) === 200));
  assert.equal(successes, recorded200.length);
  assert.equal(roundTrips, recorded200.length);
  assert.ok(roundTrips > 0);
});

test("the only requests that reach no operation are the deliberate envelope errors", () => {
  assert.deepEqual(noOperation.sort(), [
    "auth-protocol-errors / JSON null body",
    "auth-protocol-errors / JSON with single quotes",
    "auth-protocol-errors / array body",
    "auth-protocol-errors / empty body",
    "auth-protocol-errors / empty object",
    "auth-protocol-errors / form content type",
    "auth-protocol-errors / malformed JSON body",
    "auth-protocol-errors / operation is not a string",
    "auth-protocol-errors / operation names are case sensitive",
    "auth-protocol-errors / unknown operation",
    "users-restricted-access / unknown operation as restricted user",
  ]);
});

test("the only bodies that do not parse are the recorded wrong-type errors, with Harper's text", () => {
  assert.deepEqual(bodyErrors.sort(), [
    "clustering / add_node with non-string hostname (add_node): 'hostname' must be a string",
    "logs / read_log non-numeric limit (read_log): 'limit' must be a number",
    "nosql-write / insert with records as object (insert): 'records' must be an array",
  ]);
});

test("the spec's legacy field names read as their fields, and only deliberate noise is ignored", () => {
  assert.deepEqual([...aliasesUsed].sort(), ["hash_attribute", "hash_values", "schema", "search_attribute", "search_type", "search_value"]);
  assert.deepEqual(ignoredKeys.sort(), [
    // The step sends an unknown key on purpose: Harper ignores it.
    "auth-protocol-errors / unknown extra fields are ignored (describe_database): gold_extra",
    // read_audit_log takes `schema` only; Harper answers that `schema` is missing.
    "logs / read_audit_log with database instead of schema (read_audit_log): database",
  ]);
});
