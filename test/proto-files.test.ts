import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary, getOption, hasOption } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Role, operation as operationOption } from "../gen/harper/v1/options_pb.js";
import { fixtureLines, fixturePairs } from "./fixtures.js";

const repoDir = fileURLToPath(new URL("../../", import.meta.url));
const protoDir = join(repoDir, "proto");
const protoFiles = readdirSync(join(protoDir, "harper/v1"))
  .filter((name) => name.endsWith(".proto"))
  .map((name) => `harper/v1/${name}`);

// What proto/ must declare, from ../shared/spec: test/fixtures/proto-operations.tsv has one line per
// RPC (operation name, then its aliases), test/fixtures/operations.txt is the spec's OPERATIONS.txt.
// The one name outside OPERATIONS.txt is delete_files_before, the alias of delete_records_before
// that auth-users-roles.md §6.7 lists.
const expectedRpcs = fixturePairs("proto-operations.tsv").map(([name, aliases]) => ({
  name,
  aliases: aliases.split(",").filter((alias) => alias !== ""),
}));
const specOperations = fixtureLines("operations.txt");
const aliasesOutsideOperationsTxt = ["delete_files_before"];
const expectedRpcCount = 100;
const expectedNameCount = 108;

/** One RPC as a reader of proto/ sees it. */
interface DeclaredRpc {
  rpc: string;
  declared: boolean;
  name: string;
  aliases: string[];
  internalName: string;
  role: number;
}

const sorted = (items: readonly string[]) => [...items].sort();
const duplicates = (items: readonly string[]) => sorted(items.filter((item, i) => items.indexOf(item) !== i));
const line = (rpc: { name: string; aliases: readonly string[] }) => `${rpc.name}\t${rpc.aliases.join(",")}`;

/** The assertions both readers of proto/ (buf + protobuf-es, and Python's protoc) must pass. */
function assertExactOperations(rpcs: readonly DeclaredRpc[], reader: string): void {
  assert.deepEqual(
    rpcs.filter((rpc) => !rpc.declared).map((rpc) => rpc.rpc),
    [],
    `${reader}: RPCs without the (harper.v1.operation) option`,
  );
  assert.deepEqual(
    rpcs.filter((rpc) => !rpc.name || !rpc.internalName || rpc.role === Role.UNSPECIFIED).map((rpc) => rpc.rpc),
    [],
    `${reader}: RPCs whose operation option lacks a name, an internal name or a role`,
  );
  assert.equal(rpcs.length, expectedRpcCount, `${reader}: number of RPCs`);
  const names = rpcs.flatMap((rpc) => [rpc.name, ...rpc.aliases]);
  assert.deepEqual(duplicates(names), [], `${reader}: operation names or aliases declared twice`);
  assert.equal(names.length, expectedNameCount, `${reader}: number of operation names and aliases`);
  assert.deepEqual(sorted(names), sorted([...specOperations, ...aliasesOutsideOperationsTxt]), `${reader}: names against the spec`);
  assert.deepEqual(sorted(rpcs.map(line)), sorted(expectedRpcs.map(line)), `${reader}: which names are RPCs and which are aliases of which`);
}

test("the expected operations are the spec's OPERATIONS.txt plus delete_files_before, 100 RPCs and 108 names", () => {
  const names = expectedRpcs.flatMap((rpc) => [rpc.name, ...rpc.aliases]);
  assert.equal(expectedRpcs.length, expectedRpcCount);
  assert.equal(specOperations.length, expectedNameCount - aliasesOutsideOperationsTxt.length);
  assert.deepEqual(duplicates(names), []);
  assert.deepEqual(sorted(names), sorted([...specOperations, ...aliasesOutsideOperationsTxt]));
});

test("no proto file uses proto3 `optional`, which Debian's protoc 3.5 cannot read", () => {
  for (const file of protoFiles) {
    const lines = readFileSync(join(protoDir, file), "utf8").split("\n");
    const offending = lines.flatMap((line, i) => (/^\s*optional\s/.test(line) ? [`${file}:${i + 1}`] : []));
    assert.deepEqual(offending, [], "use a google.protobuf wrapper type instead");
  }
});

const buf = join(repoDir, "node_modules/.bin/buf");

test(
  "every RPC of proto/ (as buf builds it) declares its operation, and the names and aliases are exactly the spec's operations",
  { skip: existsSync(buf) ? false : "buf is not installed (npm ci)" },
  () => {
    const image = execFileSync(buf, ["build", "-o", "-"], { cwd: repoDir, maxBuffer: 64 * 1024 * 1024 });
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));
    const rpcs: DeclaredRpc[] = [];
    for (const file of registry.files) {
      if (!file.name.startsWith("harper/v1/")) continue;
      for (const service of file.services) {
        for (const method of service.methods) {
          const declared = hasOption(method, operationOption);
          const options = getOption(method, operationOption);
          rpcs.push({
            rpc: method.toString(),
            declared,
            name: options.name,
            aliases: [...options.aliases],
            internalName: options.internalName,
            role: options.role,
          });
        }
      }
    }
    assertExactOperations(rpcs, "buf");
  },
);

const python = "/usr/bin/python3";
const hasGrpcTools =
  existsSync(python) &&
  (() => {
    try {
      execFileSync(python, ["-c", "import grpc_tools.protoc, grpc"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

test(
  "a Python gRPC client generates from proto/ with Debian's python3-grpc-tools, loads, and sees every operation option exactly",
  { skip: hasGrpcTools ? false : "python3-grpc-tools is not installed (apt-get install python3-grpc-tools)" },
  () => {
    const out = mkdtempSync(join(tmpdir(), "harper-py-"));
    try {
      execFileSync(
        python,
        ["-m", "grpc_tools.protoc", "-I", protoDir, `--python_out=${out}`, `--grpc_python_out=${out}`, ...protoFiles],
        { stdio: "pipe" },
      );
      const script = `
import importlib, json, sys
sys.path.insert(0, ${JSON.stringify(out)})
from harper.v1 import options_pb2
rpcs = []
for f in sys.argv[1:]:
    stem = "harper.v1." + f[len("harper/v1/"):-len(".proto")]
    importlib.import_module(stem + "_pb2_grpc")
    pb2 = importlib.import_module(stem + "_pb2")
    for service in pb2.DESCRIPTOR.services_by_name.values():
        for method in service.methods:
            options = method.GetOptions()
            declared = options.HasExtension(options_pb2.operation)
            op = options.Extensions[options_pb2.operation]
            rpcs.append({"rpc": method.full_name, "declared": declared, "name": op.name,
                         "aliases": list(op.aliases), "internalName": op.internal_name, "role": op.role})
print(json.dumps(rpcs))
`;
      const rpcs = JSON.parse(execFileSync(python, ["-c", script, ...protoFiles], { encoding: "utf8" })) as DeclaredRpc[];
      assertExactOperations(rpcs, "Python");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
