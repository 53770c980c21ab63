import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  CreateTableRequestSchema,
  DescribeAllResponseSchema,
  DescribeTableResponseSchema,
  DropDatabaseResponseSchema,
} from "../gen/harper/v1/database_service_pb.js";
import { BodyError, requestFromHarperJson, responseToHarperJson } from "../src/contract/index.js";

test("a create_table body with legacy keys parses with schema and hash_attribute applied", () => {
  const request = requestFromHarperJson(CreateTableRequestSchema, {
    operation: "create_table",
    schema: "dev",
    table: "dog",
    hash_attribute: "id",
    attributes: [{ attribute: "name", type: "String" }],
  });
  assert.equal(request.database, "dev");
  assert.equal(request.primaryKey, "id");
  assert.equal(request.table, "dog");
  assert.equal(request.attributes[0]?.name, "name", "nested alias 'attribute' applied");
});

test("the field's own name wins over its alias when a body carries both", () => {
  const request = requestFromHarperJson(CreateTableRequestSchema, {
    operation: "create_table",
    database: "wins",
    schema: "loses",
    table: "t",
    primary_key: "pk",
    hash_attribute: "other",
  });
  assert.equal(request.database, "wins");
  assert.equal(request.primaryKey, "pk");
});

test("absent optional fields stay unset and unknown keys are ignored", () => {
  const request = requestFromHarperJson(CreateTableRequestSchema, { operation: "create_table", foo: 1 });
  assert.equal(request.database, undefined);
  assert.equal(request.table, undefined);
  assert.equal(request.expiration, undefined);
});

test("a numeric string is accepted where Harper takes a number", () => {
  const request = requestFromHarperJson(CreateTableRequestSchema, { table: "t", expiration: "60" });
  assert.equal(request.expiration, 60);
});

test("a value of the wrong JSON type is a BodyError naming the key as sent", () => {
  assert.throws(
    () => requestFromHarperJson(CreateTableRequestSchema, { operation: "create_table", table: 5 }),
    (error: unknown) =>
      error instanceof BodyError && error.message === "'table' must be a string" && error.key === "table",
  );
  assert.throws(
    () => requestFromHarperJson(CreateTableRequestSchema, { schema: ["x"] }),
    (error: unknown) => error instanceof BodyError && error.message === "'schema' must be a string",
  );
  assert.throws(
    () => requestFromHarperJson(CreateTableRequestSchema, { audit: "yes" }),
    (error: unknown) => error instanceof BodyError && error.message === "'audit' must be a boolean",
  );
});

test("describe_all renders as database -> table -> descriptor, with Harper's keys and omissions", () => {
  const response = create(DescribeAllResponseSchema, {
    databases: {
      data: { tables: {} },
      dev: {
        tables: {
          dog: {
            schema: "dev",
            name: "dog",
            hashAttribute: "id",
            audit: true,
            schemaDefined: false,
            attributes: [
              { attribute: "id", isPrimaryKey: true },
              { attribute: "__createdtime__", indexed: true },
            ],
            dbSize: 49152,
            sources: [],
            recordCount: 0,
            tableSize: 0,
            dbAuditSize: 4096,
          },
        },
      },
    },
  });
  const json = responseToHarperJson(DescribeAllResponseSchema, response);
  assert.equal(
    JSON.stringify(json),
    JSON.stringify({
      data: {},
      dev: {
        dog: {
          schema: "dev",
          name: "dog",
          hash_attribute: "id",
          audit: true,
          schema_defined: false,
          attributes: [
            { attribute: "id", is_primary_key: true },
            { attribute: "__createdtime__", indexed: true },
          ],
          db_size: 49152,
          sources: [],
          record_count: 0,
          table_size: 0,
          db_audit_size: 4096,
        },
      },
    }),
  );
});

test("describe_table renders the descriptor itself, printing an estimate range only when set", () => {
  const plain = responseToHarperJson(
    DescribeTableResponseSchema,
    create(DescribeTableResponseSchema, { table: { schema: "d", name: "t", recordCount: 3 } }),
  ) as Record<string, unknown>;
  assert.equal(plain["name"], "t");
  assert.equal("estimated_record_range" in plain, false);
  assert.equal("hash_attribute" in plain, false, "unset optional keys are left out");
  const estimated = responseToHarperJson(
    DescribeTableResponseSchema,
    create(DescribeTableResponseSchema, { table: { name: "t", estimatedRecordRange: [10, 20] } }),
  ) as Record<string, unknown>;
  assert.deepEqual(estimated["estimated_record_range"], [10, 20]);
});

test("drop_database prints replicated only when it was asked for", () => {
  const plain = responseToHarperJson(
    DropDatabaseResponseSchema,
    create(DropDatabaseResponseSchema, { message: "successfully deleted 'dev'" }),
  );
  assert.deepEqual(plain, { message: "successfully deleted 'dev'" });
  const replicated = responseToHarperJson(
    DropDatabaseResponseSchema,
    create(DropDatabaseResponseSchema, { message: "m", replicated: { values: [] } }),
  );
  assert.deepEqual(replicated, { message: "m", replicated: [] });
});
