import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const protoDir = fileURLToPath(new URL("../../proto/", import.meta.url));
const protoFiles = readdirSync(join(protoDir, "harper/v1"))
  .filter((name) => name.endsWith(".proto"))
  .map((name) => `harper/v1/${name}`);

test("no proto file uses proto3 `optional`, which Debian's protoc 3.5 cannot read", () => {
  for (const file of protoFiles) {
    const lines = readFileSync(join(protoDir, file), "utf8").split("\n");
    const offending = lines.flatMap((line, i) => (/^\s*optional\s/.test(line) ? [`${file}:${i + 1}`] : []));
    assert.deepEqual(offending, [], "use a google.protobuf wrapper type instead");
  }
});

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
  "a Python gRPC client generates from proto/ with Debian's python3-grpc-tools and loads",
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
import importlib, sys
sys.path.insert(0, ${JSON.stringify(out)})
from harper.v1 import options_pb2
mods = [importlib.import_module("harper.v1." + f[len("harper/v1/"):-len(".proto")] + "_pb2_grpc") for f in sys.argv[1:]]
count = 0
for f in sys.argv[1:]:
    pb2 = importlib.import_module("harper.v1." + f[len("harper/v1/"):-len(".proto")] + "_pb2")
    for service in pb2.DESCRIPTOR.services_by_name.values():
        for method in service.methods:
            opts = method.GetOptions().Extensions[options_pb2.operation]
            assert opts.name and opts.internal_name, method.full_name
            count += 1
print(count)
`;
      const count = Number(execFileSync(python, ["-c", script, ...protoFiles], { encoding: "utf8" }).trim());
      assert.ok(count > 90, `only ${count} RPCs visible from Python`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
