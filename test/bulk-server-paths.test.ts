import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PathError, checkPublicHost, isPublicAddress, resolveExportFolder, resolveReadableFile } from "../src/bulk/server-paths.js";

// Which server paths bulk loads may read and exports may write (spec bulk-jobs.md §4.2, §5.1:
// Harper's messages), and which hosts csv_url_load may fetch for callers who are not super users.

const isRoot = process.getuid?.() === 0;

// root/
//   allowed/            the allowed folder
//     data.csv
//     sub/inner.csv
//     link-in  -> allowed/data.csv
//     link-out -> outside/secret.csv
//     dir-out  -> outside/
//     dangling -> outside/nothing.csv
//   allowed-evil/f.csv  shares the allowed folder's name as a prefix
//   outside/secret.csv
//   allowed-link -> allowed/   (an allowed folder configured through a symlink)
const root = realpathSync(mkdtempSync(join(tmpdir(), "server-paths-")));
const allowed = join(root, "allowed");
const outside = join(root, "outside");
mkdirSync(join(allowed, "sub"), { recursive: true });
mkdirSync(join(root, "allowed-evil"));
mkdirSync(outside);
writeFileSync(join(allowed, "data.csv"), "id\n1\n");
writeFileSync(join(allowed, "sub", "inner.csv"), "id\n2\n");
writeFileSync(join(root, "allowed-evil", "f.csv"), "id\n3\n");
writeFileSync(join(outside, "secret.csv"), "id\n4\n");
symlinkSync(join(allowed, "data.csv"), join(allowed, "link-in"));
symlinkSync(join(outside, "secret.csv"), join(allowed, "link-out"));
symlinkSync(outside, join(allowed, "dir-out"));
symlinkSync(join(outside, "nothing.csv"), join(allowed, "dangling"));
symlinkSync(allowed, join(root, "allowed-link"));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** Asserts that resolving rejects with a PathError of this message and code. */
async function refused(promise: Promise<string>, message: string, code: PathError["code"]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.code, code);
    return true;
  });
}

// ---- files to read -------------------------------------------------------------------------

test("a file inside an allowed folder resolves to its real path", async () => {
  assert.equal(await resolveReadableFile(join(allowed, "data.csv"), [allowed]), join(allowed, "data.csv"));
  assert.equal(await resolveReadableFile(join(allowed, "sub", "inner.csv"), [outside, allowed]), join(allowed, "sub", "inner.csv"));
});

test("`..` is resolved: inside stays allowed, an escape is denied with Harper's message", async () => {
  assert.equal(await resolveReadableFile(join(allowed, "sub", "..", "data.csv"), [allowed]), join(allowed, "data.csv"));
  const escape = `${allowed}/../outside/secret.csv`;
  await refused(resolveReadableFile(escape, [allowed]), `Permission denied ${escape}`, "denied");
});

test("a relative path is taken from the working folder", async (t) => {
  const before = process.cwd();
  process.chdir(allowed);
  t.after(() => process.chdir(before));
  assert.equal(await resolveReadableFile("data.csv", [allowed]), join(allowed, "data.csv"));
  assert.equal(await resolveReadableFile("./sub/inner.csv", [allowed]), join(allowed, "sub", "inner.csv"));
  await refused(resolveReadableFile("../outside/secret.csv", [allowed]), "Permission denied ../outside/secret.csv", "denied");
});

test("a symlink is judged by its target: inside allowed, outside denied", async () => {
  assert.equal(await resolveReadableFile(join(allowed, "link-in"), [allowed]), join(allowed, "data.csv"));
  const out = join(allowed, "link-out");
  await refused(resolveReadableFile(out, [allowed]), `Permission denied ${out}`, "denied");
  const through = join(allowed, "dir-out", "secret.csv");
  await refused(resolveReadableFile(through, [allowed]), `Permission denied ${through}`, "denied");
});

test("an allowed folder configured through a symlink is compared by its real path", async () => {
  assert.equal(await resolveReadableFile(join(allowed, "data.csv"), [join(root, "allowed-link")]), join(allowed, "data.csv"));
  assert.equal(await resolveReadableFile(join(root, "allowed-link", "data.csv"), [allowed]), join(allowed, "data.csv"));
});

test("a folder sharing the allowed folder's name as a prefix is not inside it", async () => {
  const evil = join(root, "allowed-evil", "f.csv");
  await refused(resolveReadableFile(evil, [allowed]), `Permission denied ${evil}`, "denied");
});

test("a missing file inside is `No such file or directory`; outside it is denied like an existing one", async () => {
  const missing = join(allowed, "nope.csv");
  await refused(resolveReadableFile(missing, [allowed]), `No such file or directory ${missing}`, "missing");
  const underFile = join(allowed, "data.csv", "x");
  await refused(resolveReadableFile(underFile, [allowed]), `No such file or directory ${underFile}`, "missing");
  const outsideMissing = join(outside, "nope.csv");
  await refused(resolveReadableFile(outsideMissing, [allowed]), `Permission denied ${outsideMissing}`, "denied");
  const throughLink = join(allowed, "dir-out", "nope.csv");
  await refused(resolveReadableFile(throughLink, [allowed]), `Permission denied ${throughLink}`, "denied");
});

test("a dangling symlink is denied (its target is not judged)", async () => {
  const dangling = join(allowed, "dangling");
  await refused(resolveReadableFile(dangling, [allowed]), `Permission denied ${dangling}`, "denied");
});

test("a directory, or a device, given as the file is refused as not a regular file", async () => {
  await refused(resolveReadableFile(join(allowed, "sub"), [allowed]), `Not a regular file ${join(allowed, "sub")}`, "not_file");
  await refused(resolveReadableFile("/dev/null", ["/dev"]), "Not a regular file /dev/null", "not_file");
});

test("no allowed folders (the default for users who are not super users) deny everything", async () => {
  const path = join(allowed, "data.csv");
  await refused(resolveReadableFile(path, []), `Permission denied ${path}`, "denied");
});

test("an allowed folder that does not exist allows nothing", async () => {
  const path = join(allowed, "data.csv");
  await refused(resolveReadableFile(path, [join(root, "gone")]), `Permission denied ${path}`, "denied");
});

test("an unreadable file is denied", { skip: isRoot ? "root reads anything" : false }, async (t) => {
  const path = join(allowed, "locked.csv");
  writeFileSync(path, "id\n1\n");
  chmodSync(path, 0o000);
  t.after(() => rmSync(path, { force: true }));
  await refused(resolveReadableFile(path, [allowed]), `Permission denied ${path}`, "denied");
});

// ---- export folders ------------------------------------------------------------------------

test("an export folder inside resolves to its real path, with or without a trailing slash", async () => {
  assert.equal(await resolveExportFolder(allowed, [allowed]), allowed);
  assert.equal(await resolveExportFolder(`${allowed}/sub/`, [allowed]), join(allowed, "sub"));
  assert.equal(await resolveExportFolder(join(root, "allowed-link"), [allowed]), allowed);
  assert.equal(await resolveExportFolder(`${allowed}//`, ["/"]), allowed, "everything is inside /");
});

test("a missing export folder: `does not exist`, quoting the path without its trailing slash", async () => {
  const missing = join(allowed, "nope");
  await refused(resolveExportFolder(`${missing}/`, [allowed]), `path '${missing}' does not exist`, "missing");
  await refused(resolveExportFolder("", [allowed]), "path '' does not exist", "missing");
});

test("a file given as the export folder: `is not a directory`", async () => {
  const file = join(allowed, "data.csv");
  await refused(resolveExportFolder(file, [allowed]), `path '${file}' is not a directory, please supply a valid folder path`, "not_dir");
});

test("an export folder outside, existing or not, or reached through a symlink, is denied", async () => {
  await refused(resolveExportFolder(outside, [allowed]), `access to path '${outside}' is denied`, "denied");
  const missing = join(outside, "nope");
  await refused(resolveExportFolder(missing, [allowed]), `access to path '${missing}' is denied`, "denied");
  const link = join(allowed, "dir-out");
  await refused(resolveExportFolder(`${link}/`, [allowed]), `access to path '${link}' is denied`, "denied");
  const escape = `${allowed}/..`;
  await refused(resolveExportFolder(escape, [allowed]), `access to path '${escape}' is denied`, "denied");
});

test("a read-only export folder is denied", { skip: isRoot ? "root writes anywhere" : false }, async (t) => {
  const folder = join(allowed, "read-only");
  mkdirSync(folder);
  chmodSync(folder, 0o555);
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  await refused(resolveExportFolder(folder, [allowed]), `access to path '${folder}' is denied`, "denied");
});

// ---- public hosts --------------------------------------------------------------------------

test("checkPublicHost refuses loopback, private, link-local, unspecified and multicast hosts", async () => {
  const hosts = [
    "127.0.0.1", "127.255.0.9", "localhost", "::1", "[::1]", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255", "fc00::1", "fd12:3456::1",
    "fe80::1", "fe80::1%lo", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "[::ffff:7f00:1]", "::ffff:a9fe:a9fe",
  ];
  for (const host of hosts) await assert.rejects(checkPublicHost(host), /is not public/, host);
});

test("checkPublicHost refuses the host names URL parsing makes of disguised local addresses", async () => {
  for (const url of ["http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:0:0:1]/", "http://2130706433/", "http://0x7f.1/", "http://[::ffff:169.254.169.254]/"]) {
    await assert.rejects(checkPublicHost(new URL(url).hostname), /is not public/, url);
  }
});

test("checkPublicHost resolves names: localhost is refused by its address", async () => {
  await assert.rejects(checkPublicHost("localhost"), (error: Error) => /^the address (127\.0\.0\.1|::1) of localhost is not public$/.test(error.message));
});

test("checkPublicHost accepts public literals and returns them", async () => {
  assert.deepEqual(await checkPublicHost("93.184.216.34"), ["93.184.216.34"]);
  assert.deepEqual(await checkPublicHost("172.32.0.1"), ["172.32.0.1"]);
  assert.deepEqual(await checkPublicHost("[2606:2800:220:1:248:1893:25c8:1946]"), ["2606:2800:220:1:248:1893:25c8:1946"]);
  assert.deepEqual(await checkPublicHost("::ffff:93.184.216.34"), ["::ffff:93.184.216.34"]);
});

test("checkPublicHost refuses an empty host name", async () => {
  await assert.rejects(checkPublicHost(""), { message: "the URL has no host name" });
  await assert.rejects(checkPublicHost("[]"), { message: "the URL has no host name" });
});

test("isPublicAddress judges IPv6 forms that carry an IPv4 address by that address", () => {
  const cases: Array<[string, boolean]> = [
    ["::ffff:7f00:1", false], ["::ffff:5db8:d822", true], ["::ffff:0:7f00:1", false], ["::127.0.0.1", false],
    ["64:ff9b::7f00:1", false], ["64:ff9b::93.184.216.34", true], ["64:ff9b:1::1", false],
    ["2002:7f00:1::", false], ["2002:c0a8:101::1", false], ["2002:5db8:d822::1", true],
    ["2001:db8::1", false], ["100::1", false], ["fec0::1", false], ["FE80::1", false], ["2001:4860:4860::8888", true],
    ["not an address", false], ["", false], ["1.2.3", false],
  ];
  for (const [address, expected] of cases) assert.equal(isPublicAddress(address), expected, address);
});
