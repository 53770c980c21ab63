import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomically } from "../src/bulk/export/atomic-file.js";
import { PathError, openExportFolder, openReadableFile, resolveReadableFile } from "../src/bulk/server-paths.js";
import type { RunningServer } from "../src/main.js";
import { basic, poster, startTestServer, stopTestServer } from "./server-fixture.js";

// Issue 13, item 5 ("Files are opened, then checked"): a server path is opened first, the real
// path of the descriptor is checked against the allowed folders, and the file is read (or the
// export written) through that descriptor, so that flipping a checked name to a symlink that
// leads outside the allowed folders cannot make the server read or write outside them.

const root = realpathSync(mkdtempSync(join(tmpdir(), "hostile-paths-")));
const allowed = join(root, "allowed");
const outside = join(root, "outside");
const secretPath = join(outside, "secret.csv");
const insideCsv = "id,name\n1,inside\n";
const secretCsv = "id,name\n666,SECRET\n";
mkdirSync(join(allowed, "sub"), { recursive: true });
mkdirSync(outside);
writeFileSync(join(allowed, "data.csv"), insideCsv);
writeFileSync(join(allowed, "sub", "inner.csv"), insideCsv);
writeFileSync(secretPath, secretCsv);
symlinkSync(join(allowed, "data.csv"), join(allowed, "link-in"));
symlinkSync(secretPath, join(allowed, "link-out"));
symlinkSync(join(allowed, "sub"), join(allowed, "dir-in"));
symlinkSync(outside, join(allowed, "dir-out"));
symlinkSync(allowed, join(outside, "to-allowed"));
execFileSync("mkfifo", [join(allowed, "pipe.csv")]);

let server: RunningServer | undefined;
let serverRoot = "";
const post = poster(() => server!);
const hostile = basic("hostile", "Hostile-pass-1");

before(async () => {
  ({ server, root: serverRoot } = await startTestServer({ BULK_USERPATHS: JSON.stringify([allowed]) }));
  await post({ operation: "create_table", database: "hostile", table: "loads", primary_key: "id" });
  await post({
    operation: "add_role",
    role: "hostile_loader",
    permission: { super_user: false, hostile: { tables: { loads: { read: true, insert: true, update: true, delete: false, attribute_permissions: [] } } } },
  });
  await post({ operation: "add_user", role: "hostile_loader", username: "hostile", password: "Hostile-pass-1", active: true });
});

after(async () => {
  if (server) await stopTestServer(server, serverRoot);
  rmSync(root, { recursive: true, force: true });
});

/** Asserts that a promise rejects with a PathError of this message and code. */
async function refused(promise: Promise<unknown>, message: string, code: PathError["code"]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.code, code);
    return true;
  });
}

/** How many descriptors of this process lead into the test's folders (Linux: /proc/self/fd). */
function openInRoot(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(root)) count++;
    } catch {
      // The descriptor of readdir itself, closed by now.
    }
  }
  return count;
}

/** A worker thread that flips names as fast as it can until stopped; `stop` answers how many flips it made. */
interface Flipper {
  stop(): Promise<number>;
}

/**
 * Flips `target` between a regular file holding `content` and a symlink to `linkTo`, each step an
 * atomic rename (the name always exists); the regular file is held up to `holdFileMs` at times.
 */
function flipFile(target: string, linkTo: string, content: string, holdFileMs = 0.2): Flipper {
  return startFlipper(
    `const { symlinkSync, renameSync, writeFileSync, rmSync } = require("node:fs");
     const { target, linkTo, content } = workerData;
     step = () => {
       rmSync(target + ".link-tmp", { force: true });
       symlinkSync(linkTo, target + ".link-tmp");
       renameSync(target + ".link-tmp", target);
       pause();
       writeFileSync(target + ".file-tmp", content);
       renameSync(target + ".file-tmp", target);
       pause(workerData.holdFileMs);
     };`,
    { target, linkTo, content, holdFileMs: String(holdFileMs) },
  );
}

/** Flips the name `target` between the folder `parked` (moved in and out) and a symlink to `linkTo`. */
function flipFolder(target: string, parked: string, linkTo: string): Flipper {
  return startFlipper(
    `const { symlinkSync, renameSync, rmSync } = require("node:fs");
     const { target, parked, linkTo } = workerData;
     step = () => {
       renameSync(target, parked);
       symlinkSync(linkTo, target);
       pause();
       rmSync(target);
       renameSync(parked, target);
       pause();
     };`,
    { target, parked, linkTo },
  );
}

/**
 * Runs `step` (defined by `setup`, a CommonJS snippet) in a worker thread until stopped.
 * `pause(holdMs)` holds a state for a random moment half of the time (up to `holdMs`, 0.2 ms by
 * default, else not at all), so that both states last long enough, now and then, for a whole
 * check to run in one of them.
 */
function startFlipper(setup: string, data: Record<string, string>): Flipper {
  const shared = new Int32Array(new SharedArrayBuffer(12));
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     const flags = workerData.flags;
     const pause = (holdMs) => { if (Math.random() < 0.5) Atomics.wait(flags, 2, 0, Math.random() * Number(holdMs ?? 0.2)); };
     let step;
     ${setup}
     let flips = 0;
     while (Atomics.load(flags, 0) === 0) { step(); flips++; }
     Atomics.store(flags, 1, flips);`,
    { eval: true, workerData: { ...data, flags: shared } },
  );
  const ended = new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", () => resolve());
  });
  return {
    async stop() {
      Atomics.store(shared, 0, 1);
      await ended;
      return Atomics.load(shared, 1);
    },
  };
}

// ---- the race --------------------------------------------------------------------------------

test("2000 opens of an allowed file flipping to a symlink that leads outside never yield the outside file", { timeout: 30_000 }, async (t) => {
  const target = join(allowed, "flip.csv");
  writeFileSync(target, insideCsv);
  const flipper = flipFile(target, secretPath, insideCsv);
  let loaded = 0;
  let denied = 0;
  let flips = 0;
  try {
    for (let round = 0; round < 250; round++) {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          let opened: Awaited<ReturnType<typeof openReadableFile>>;
          try {
            opened = await openReadableFile(target, [allowed]);
          } catch (error) {
            assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
            assert.deepEqual([error.message, error.code], [`Permission denied ${target}`, "denied"]);
            denied++;
            return;
          }
          try {
            assert.equal(await opened.handle.readFile("utf8"), insideCsv, "only the inside file is ever read");
            assert.equal(opened.real, target);
            loaded++;
          } finally {
            await opened.handle.close();
          }
        }),
      );
    }
  } finally {
    flips = await flipper.stop();
    rmSync(target, { force: true });
  }
  t.diagnostic(`${flips} flips, ${loaded} loaded, ${denied} denied`);
  assert.equal(loaded + denied, 2000);
  assert.ok(flips > 0 && loaded > 0 && denied > 0, `both states were met: ${flips} flips, ${loaded} loaded, ${denied} denied`);
  assert.equal(openInRoot(), 0, "every descriptor was closed");
});

test("1000 opens through a folder flipping to a symlink that leads outside never yield the outside file", { timeout: 30_000 }, async (t) => {
  const target = join(allowed, "flip-dir");
  const parked = join(allowed, "flip-dir-parked");
  const decoy = join(outside, "decoy-dir");
  mkdirSync(target);
  mkdirSync(decoy);
  writeFileSync(join(target, "data.csv"), insideCsv);
  writeFileSync(join(decoy, "data.csv"), secretCsv);
  const path = join(target, "data.csv");
  const answers = new Map<string, number>();
  let loaded = 0;
  const flipper = flipFolder(target, parked, decoy);
  try {
    for (let round = 0; round < 125; round++) {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          let opened: Awaited<ReturnType<typeof openReadableFile>>;
          try {
            opened = await openReadableFile(path, [allowed]);
          } catch (error) {
            assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
            // Harper's answers for a name that leads outside, or that is missing for a moment.
            assert.ok([`Permission denied ${path}`, `No such file or directory ${path}`].includes(error.message), error.message);
            answers.set(error.code, (answers.get(error.code) ?? 0) + 1);
            return;
          }
          try {
            assert.equal(await opened.handle.readFile("utf8"), insideCsv, "only the inside file is ever read");
            assert.ok(opened.real === path || opened.real === join(parked, "data.csv"), opened.real);
            loaded++;
          } finally {
            await opened.handle.close();
          }
        }),
      );
    }
  } finally {
    await flipper.stop();
  }
  t.diagnostic(`${loaded} loaded, refused: ${JSON.stringify([...answers])}`);
  assert.ok(loaded > 0 && (answers.get("denied") ?? 0) > 0, `both states were met: ${loaded} loaded, ${JSON.stringify([...answers])}`);
  assert.equal(openInRoot(), 0, "every descriptor was closed");
  rmSync(existsSync(target) ? target : parked, { recursive: true, force: true });
});

test("200 csv_file_load requests of a non-super user against a flipping file never load the outside file", { timeout: 60_000 }, async (t) => {
  const target = join(allowed, "flip-load.csv");
  writeFileSync(target, insideCsv);
  // A request takes longer than a direct call: the regular file is held a little longer, so that some loads get through.
  const flipper = flipFile(target, secretPath, insideCsv, 2);
  const jobs: string[] = [];
  let denied = 0;
  try {
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const answer = await post({ operation: "csv_file_load", action: "upsert", database: "hostile", table: "loads", file_path: target }, hostile);
          if (answer.status === 200) {
            jobs.push(answer.body.job_id as string);
          } else {
            assert.deepEqual(answer, { status: 400, body: { error: `Permission denied ${target}` } });
            denied++;
          }
        }),
      );
    }
  } finally {
    await flipper.stop();
    rmSync(target, { force: true });
  }
  t.diagnostic(`${jobs.length} loads, ${denied} refused`);
  assert.equal(jobs.length + denied, 200);
  assert.ok(jobs.length > 0 && denied > 0, `both states were met: ${jobs.length} loads, ${denied} refused`);
  for (const id of jobs) {
    let record: { status: string; message: unknown } | undefined;
    for (let i = 0; i < 400; i++) {
      [record] = (await post({ operation: "get_job", id })).body;
      if (record!.status === "COMPLETE" || record!.status === "ERROR") break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual([record!.status, record!.message], ["COMPLETE", "successfully loaded 1 of 1 records"], id);
  }
  const rows = await post({ operation: "search_by_id", database: "hostile", table: "loads", ids: [1, 666], get_attributes: ["id", "name"] });
  assert.deepEqual(rows.body, [{ id: 1, name: "inside" }], "the outside record was never loaded");
  assert.equal(openInRoot(), 0, "every job closed its file");
});

test("an export folder flipping to a symlink that leads outside never receives a file outside", { timeout: 30_000 }, async (t) => {
  const target = join(allowed, "exports");
  const parked = join(allowed, "exports-parked");
  const away = join(outside, "exports-away");
  mkdirSync(target);
  mkdirSync(away);
  const flipper = flipFolder(target, parked, away);
  const answers = new Map<string, number>();
  let written = 0;
  try {
    for (let round = 0; round < 100; round++) {
      await Promise.all(
        Array.from({ length: 4 }, async (_, i) => {
          let folder: Awaited<ReturnType<typeof openExportFolder>>;
          try {
            folder = await openExportFolder(target, [allowed]);
          } catch (error) {
            assert.ok(error instanceof PathError, `a PathError, not ${String(error)}`);
            assert.ok([`access to path '${target}' is denied`, `path '${target}' does not exist`].includes(error.message), error.message);
            answers.set(error.message, (answers.get(error.message) ?? 0) + 1);
            return;
          }
          try {
            await writeFileAtomically(join(folder.real, `out-${round}-${i}.csv`), (async function* () { yield "id\n1\n"; })(), { folder: folder.handle });
            written++;
          } finally {
            await folder.handle.close();
          }
        }),
      );
    }
  } finally {
    await flipper.stop();
  }
  t.diagnostic(`${written} written, refused: ${JSON.stringify([...answers])}`);
  assert.deepEqual(readdirSync(away), [], "nothing was written outside");
  const home = existsSync(target) ? target : parked;
  assert.equal(readdirSync(home).length, written, "every file written is in the allowed folder");
  assert.ok(written > 0, `some exports were written (${JSON.stringify([...answers])})`);
  assert.equal(openInRoot(), 0, "every folder descriptor was closed");
  rmSync(home, { recursive: true, force: true });
});

// ---- what is opened ------------------------------------------------------------------------

test("a final symlink is followed only through the judged resolution: the target inside is opened, outside refused", async () => {
  const opened = await openReadableFile(join(allowed, "link-in"), [allowed]);
  try {
    assert.equal(opened.real, join(allowed, "data.csv"));
    assert.equal(await opened.handle.readFile("utf8"), insideCsv);
  } finally {
    await opened.handle.close();
  }
  const out = join(allowed, "link-out");
  await refused(openReadableFile(out, [allowed]), `Permission denied ${out}`, "denied");
});

test("folder symlinks on the way are resolved and judged by what was opened", async () => {
  const through = await openReadableFile(join(allowed, "dir-in", "inner.csv"), [allowed]);
  await through.handle.close();
  assert.equal(through.real, join(allowed, "sub", "inner.csv"));
  const escape = join(allowed, "dir-out", "secret.csv");
  await refused(openReadableFile(escape, [allowed]), `Permission denied ${escape}`, "denied");
  // A name outside that leads inside is judged by where it leads.
  const back = await openReadableFile(join(outside, "to-allowed", "data.csv"), [allowed]);
  await back.handle.close();
  assert.equal(back.real, join(allowed, "data.csv"));
});

test("a FIFO or a folder is refused as not a regular file, and opening a FIFO does not block", { timeout: 5_000 }, async () => {
  const pipe = join(allowed, "pipe.csv");
  await refused(openReadableFile(pipe, [allowed]), `Not a regular file ${pipe}`, "not_file");
  await refused(openReadableFile(join(allowed, "sub"), [allowed]), `Not a regular file ${join(allowed, "sub")}`, "not_file");
  await refused(resolveReadableFile(pipe, [allowed]), `Not a regular file ${pipe}`, "not_file");
});

test("every answer, refusal or success, closes or hands over its descriptor", async () => {
  const before = openInRoot();
  const paths = ["data.csv", "link-in", "link-out", "dir-out/secret.csv", "missing.csv", "sub", "pipe.csv"].map((name) => join(allowed, name));
  for (let i = 0; i < 50; i++) {
    for (const path of paths) await resolveReadableFile(path, [allowed]).catch(() => undefined);
    await openExportFolder(join(allowed, "sub"), [allowed]).then((folder) => folder.handle.close(), () => undefined);
    await openExportFolder(join(allowed, "data.csv"), [allowed]).then((folder) => folder.handle.close(), () => undefined);
  }
  assert.equal(openInRoot(), before);
});

test("a csv_file_load job that fails, or succeeds, closes its file", async () => {
  const bad = join(allowed, "bad-columns.csv");
  writeFileSync(bad, "id,a/b\n7,x\n");
  const started = await post({ operation: "csv_file_load", database: "hostile", table: "loads", file_path: bad }, hostile);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  let record: { status: string; message: unknown } | undefined;
  for (let i = 0; i < 400 && record?.status !== "ERROR" && record?.status !== "COMPLETE"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    [record] = (await post({ operation: "get_job", id: started.body.job_id })).body;
  }
  assert.deepEqual([record!.status, record!.message], ["ERROR", "Invalid column name 'a/b', cancelling load operation"]);
  assert.equal(openInRoot(), 0);
  const refusedAnswer = await post({ operation: "csv_file_load", database: "hostile", table: "loads", file_path: join(allowed, "link-out") }, hostile);
  assert.deepEqual(refusedAnswer, { status: 400, body: { error: `Permission denied ${join(allowed, "link-out")}` } });
  const pipeAnswer = await post({ operation: "csv_file_load", database: "hostile", table: "loads", file_path: join(allowed, "pipe.csv") }, hostile);
  assert.deepEqual(pipeAnswer, { status: 400, body: { error: `Not a regular file ${join(allowed, "pipe.csv")}` } });
  assert.equal(openInRoot(), 0);
});

test("an export folder replaced by a symlink after it was opened still receives the file, not the symlink's target", async () => {
  const folderPath = join(allowed, "swapped");
  const moved = join(allowed, "swapped-moved");
  const decoy = join(outside, "decoy");
  mkdirSync(folderPath);
  mkdirSync(decoy);
  const folder = await openExportFolder(`${folderPath}/`, [allowed]);
  try {
    assert.equal(folder.real, folderPath);
    renameSync(folderPath, moved);
    symlinkSync(decoy, folderPath);
    const bytes = await writeFileAtomically(join(folder.real, "out.csv"), (async function* () { yield "id\n1\n"; })(), { folder: folder.handle });
    assert.equal(bytes, 5);
  } finally {
    await folder.handle.close();
  }
  assert.deepEqual(readdirSync(decoy), []);
  assert.deepEqual(readdirSync(moved), ["out.csv"]);
  assert.equal(readFileSync(join(moved, "out.csv"), "utf8"), "id\n1\n");
});

test("an export folder that is a symlink at the check is judged by its target; a file in its place is not a folder", async () => {
  const link = join(allowed, "dir-out");
  await refused(openExportFolder(link, [allowed]), `access to path '${link}' is denied`, "denied");
  const inside = await openExportFolder(join(allowed, "dir-in"), [allowed]);
  await inside.handle.close();
  assert.equal(inside.real, join(allowed, "sub"));
  const file = join(allowed, "data.csv");
  await refused(openExportFolder(file, [allowed]), `path '${file}' is not a directory, please supply a valid folder path`, "not_dir");
});
