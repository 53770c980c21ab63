import { test } from "node:test";
import assert from "node:assert/strict";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_descriptor } from "@bufbuild/protobuf/wkt";
import { Role, TablePermission } from "../gen/harper/v1/options_pb.js";
import { buildOperationTable, services } from "../src/contract/index.js";
import { fixtureLines, fixturePairs } from "./fixtures.js";

const table = buildOperationTable(services);
const operations = fixtureLines("operations.txt");

test("every operation of OPERATIONS.txt resolves to exactly one RPC with a role and an internal name", () => {
  const missing = operations.filter((name) => !table.lookup(name));
  assert.deepEqual(missing, [], "operations without an RPC");
  for (const name of operations) {
    const entry = table.lookup(name)!;
    assert.notEqual(entry.role, Role.UNSPECIFIED, `${name} has no role`);
    assert.ok(entry.internalName.length > 0, `${name} has no internal name`);
    assert.ok(entry.name === name || entry.aliases.includes(name));
    const rpcs = table.entries.filter((e) => e.name === name || e.aliases.includes(name));
    assert.equal(rpcs.length, 1, `${name} resolves to ${rpcs.length} RPCs`);
  }
});

test("every RPC is an operation of OPERATIONS.txt and aliases are not RPCs of their own", () => {
  const listed = new Set(operations);
  for (const entry of table.entries) {
    assert.ok(listed.has(entry.name), `${entry.method.toString()} implements '${entry.name}', not in OPERATIONS.txt`);
  }
  const names = new Set(table.entries.map((e) => e.name));
  for (const entry of table.entries) {
    for (const alias of entry.aliases) assert.ok(!names.has(alias), `alias ${alias} is also an RPC`);
  }
});

test("the deprecated aliases route to the RPC they alias", () => {
  const aliasOf: Array<[string, string]> = [
    ["search_by_hash", "search_by_id"],
    ["create_schema", "create_database"],
    ["drop_schema", "drop_database"],
    ["describe_schema", "describe_database"],
    ["add_custom_function_project", "add_component"],
    ["package_custom_function_project", "package_component"],
    ["deploy_custom_function_project", "deploy_component"],
  ];
  for (const [alias, name] of aliasOf) {
    assert.equal(table.lookup(alias)?.name, name, alias);
    assert.equal(table.lookup(alias), table.lookup(name));
  }
});

test("roles follow the spec: none for token exchange and login, authenticated for data operations, super_user otherwise", () => {
  const expected = new Map(fixturePairs("roles.tsv"));
  for (const name of operations) {
    const want = expected.get(name) ?? "super_user";
    const role = { none: Role.NONE, authenticated: Role.AUTHENTICATED, super_user: Role.SUPER_USER }[want];
    assert.equal(Role[table.lookup(name)!.role], Role[role!], name);
  }
});

test("internal names are the ones Harper's 403 message uses (spec §6.7)", () => {
  for (const [name, internalName] of fixturePairs("internal-names.tsv")) {
    const entry = table.lookup(name);
    if (!entry) continue; // §6.7 also names operations outside OPERATIONS.txt (get_backup, catchup)
    assert.equal(entry.internalName, internalName, name);
  }
});

test("table permissions follow the enforcement rules of spec §6.4", () => {
  const expected = new Map(fixturePairs("table-permissions.tsv"));
  const byWord: Record<string, TablePermission> = {
    read: TablePermission.READ,
    insert: TablePermission.INSERT,
    update: TablePermission.UPDATE,
    delete: TablePermission.DELETE,
  };
  for (const name of operations) {
    const want = (expected.get(name) ?? "").split(",").filter(Boolean).map((w) => byWord[w]);
    assert.deepEqual(table.lookup(name)!.tablePermissions, want, name);
  }
});

test("the table can be looked up by RPC", () => {
  for (const entry of table.entries) assert.equal(table.forMethod(entry.method), entry);
});

test("an unknown operation name resolves to nothing", () => {
  assert.equal(table.lookup("nope"), undefined);
  assert.equal(table.lookup(""), undefined);
  assert.equal(table.lookup("Describe_All"), undefined);
});

test("building the table twice from the same services refuses the duplicate names", () => {
  assert.throws(() => buildOperationTable([...services, services[0]!]), /already taken/);
});

test("an RPC without the operation option is refused with its name", () => {
  const file = create(FileDescriptorProtoSchema, {
    name: "bad.proto",
    package: "bad.v1",
    syntax: "proto3",
    messageType: [{ name: "PingRequest" }, { name: "PingResponse" }],
    service: [
      {
        name: "BadService",
        method: [{ name: "Ping", inputType: ".bad.v1.PingRequest", outputType: ".bad.v1.PingResponse" }],
      },
    ],
  });
  const registry = createFileRegistry(file, () => file_google_protobuf_descriptor);
  const service = registry.getService("bad.v1.BadService")!;
  assert.throws(() => buildOperationTable([service]), /bad\.v1\.BadService\.Ping.*does not declare/);
});
