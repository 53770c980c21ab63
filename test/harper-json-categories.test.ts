import { test } from "node:test";
import assert from "node:assert/strict";
import { toJson } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { buildOperationTable, requestFromHarperJson, services } from "../src/contract/index.js";

const table = buildOperationTable(services);

/**
 * One Harper JSON body per sample operation, and the request message it must become, written as
 * protobuf JSON with proto field names: aliases renamed, `operation` dropped.
 */
const samples: Array<{ category: string; body: JsonObject; parsed: JsonObject }> = [
  {
    category: "databases and tables",
    body: { operation: "create_schema", schema: "dev" },
    parsed: { database: "dev" },
  },
  {
    category: "databases and tables",
    body: { operation: "create_table", schema: "dev", table: "dog", hash_attribute: "id", expiration: "60" },
    parsed: { table: "dog", database: "dev", primary_key: "id", expiration: 60 },
  },
  {
    category: "nosql",
    body: { operation: "search_by_hash", schema: "dev", table: "dog", hash_values: [1, "b"], get_attributes: ["*"] },
    parsed: { table: "dog", database: "dev", ids: [1, "b"], get_attributes: ["*"] },
  },
  {
    category: "nosql",
    body: {
      operation: "search_by_value",
      table: "dog",
      search_attribute: "name",
      search_value: "Pen*",
      select: ["id"],
      limit: 2,
    },
    parsed: { table: "dog", attribute: "name", value: "Pen*", get_attributes: ["id"], limit: 2 },
  },
  {
    category: "nosql",
    body: {
      operation: "search_by_conditions",
      database: "dev",
      table: "dog",
      operator: "or",
      get_attributes: ["*"],
      conditions: [
        { search_attribute: "age", search_type: "between", search_value: [1, 5] },
        { operator: "and", conditions: [{ attribute: "name", comparator: "starts_with", value: "P" }] },
      ],
    },
    parsed: {
      table: "dog",
      database: "dev",
      operator: "or",
      conditions: [
        { attribute: "age", comparator: "between", value: [1, 5] },
        { operator: "and", conditions: [{ attribute: "name", comparator: "starts_with", value: "P" }] },
      ],
      get_attributes: ["*"],
    },
  },
  {
    category: "nosql",
    body: { operation: "insert", schema: "dev", table: "dog", records: [{ id: 1, name: "Penny", tags: ["a"] }] },
    parsed: { table: "dog", database: "dev", records: [{ id: 1, name: "Penny", tags: ["a"] }] },
  },
  {
    category: "bulk",
    body: { operation: "csv_file_load", schema: "dev", table: "dog", action: "upsert", file_path: "/tmp/d.csv" },
    parsed: { table: "dog", database: "dev", action: "upsert", file_path: "/tmp/d.csv" },
  },
  {
    category: "bulk",
    body: {
      operation: "import_from_s3",
      table: "dog",
      s3: { aws_access_key_id: "k", aws_secret_access_key: "s", bucket: "b", key: "d.csv", region: "us-east-1" },
    },
    parsed: {
      table: "dog",
      s3: { aws_access_key_id: "k", aws_secret_access_key: "s", bucket: "b", key: "d.csv", region: "us-east-1" },
    },
  },
  {
    category: "bulk",
    body: { operation: "delete_files_before", schema: "dev", table: "dog", date: "2024-01-01" },
    parsed: { table: "dog", database: "dev", date: "2024-01-01" },
  },
  {
    category: "jobs",
    body: { operation: "get_job", id: "1b7c" },
    parsed: { id: "1b7c" },
  },
  {
    category: "sql",
    body: { operation: "sql", sql: "SELECT * FROM dev.dog" },
    parsed: { sql: "SELECT * FROM dev.dog" },
  },
  {
    category: "users and roles",
    body: { operation: "add_user", role: "developer", username: "u", password: "p", active: true },
    parsed: { username: "u", password: "p", role: "developer", active: true },
  },
  {
    category: "users and roles",
    body: { operation: "add_role", role: "developer", permission: { super_user: false, dev: { tables: {} } } },
    parsed: { role: "developer", permission: { super_user: false, dev: { tables: {} } } },
  },
  {
    category: "token auth",
    body: { operation: "create_authentication_tokens", username: "admin", password: "pw" },
    parsed: { username: "admin", password: "pw" },
  },
  {
    category: "components",
    body: { operation: "add_custom_function_project", project: "app" },
    parsed: { project: "app" },
  },
  {
    category: "components",
    body: { operation: "set_component_file", project: "app", file: "a.js", payload: "x", encoding: "utf8" },
    parsed: { project: "app", file: "a.js", payload: "x", encoding: "utf8" },
  },
  {
    category: "clustering",
    body: { operation: "remove_node", node_name: "n2" },
    parsed: { hostname: "n2" },
  },
  {
    category: "clustering",
    body: { operation: "cluster_set_routes", server: "hub", routes: [{ host: "h", port: 9932 }] },
    parsed: { routes: [{ host: "h", port: 9932 }], server: "hub" },
  },
  {
    category: "configuration",
    body: { operation: "set_configuration", logging_level: "trace", http_port: 9926 },
    parsed: { config: { logging_level: "trace", http_port: 9926 } },
  },
  {
    category: "system",
    body: { operation: "system_information", attributes: ["cpu", "memory"] },
    parsed: { attributes: ["cpu", "memory"] },
  },
  {
    category: "logs",
    body: { operation: "read_transaction_log", schema: "dev", table: "dog", from: 1, to: 2, limit: 5 },
    parsed: { database: "dev", table: "dog", from: 1, to: 2, limit: 5 },
  },
  {
    category: "logs",
    body: { operation: "read_log", limit: 10, level: "error", order: "desc" },
    parsed: { limit: 10, level: "error", order: "desc" },
  },
  {
    category: "certificates",
    body: { operation: "add_certificate", name: "ca", certificate: "PEM", is_authority: true },
    parsed: { name: "ca", certificate: "PEM", is_authority: true },
  },
  {
    category: "analytics",
    body: { operation: "get_analytics", metric: "resource-usage", start_time: 1, end_time: 2 },
    parsed: { metric: "resource-usage", start_time: 1, end_time: 2 },
  },
  {
    category: "registration and licensing",
    body: { operation: "install_usage_license", license: "abc.def" },
    parsed: { license: "abc.def" },
  },
];

test("the samples cover all fifteen operation categories", () => {
  assert.equal(new Set(samples.map((s) => s.category)).size, 15);
});

for (const { category, body, parsed } of samples) {
  const operation = body["operation"] as string;
  test(`${category}: a Harper ${operation} body parses into its request message with aliases applied`, () => {
    const entry = table.lookup(operation);
    assert.ok(entry, `${operation} resolves`);
    const message = requestFromHarperJson(entry.method.input, body);
    const json = toJson(entry.method.input, message, { useProtoFieldName: true });
    assert.deepEqual(json, parsed);
  });
}
