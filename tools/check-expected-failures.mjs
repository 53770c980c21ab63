#!/usr/bin/env node
// The conformance harness's expected failures (test/conformance/expected-failures.json) list the
// transcript steps that later work still has to make pass. The list may only shrink: this check
// compares it with the version in the parent commit and exits 1, naming the entries, when a
// scenario or step was added. Changed reasons are fine.
//
//   node tools/check-expected-failures.mjs                 compare with HEAD~1 (git)
//   node tools/check-expected-failures.mjs --base FILE     compare with FILE instead
//
// Plain Node, no dependencies. Exit codes: 0 fine or skipped, 1 entries were added, 2 unusable input.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const listPath = "test/conformance/expected-failures.json";
const root = fileURLToPath(new URL("..", import.meta.url));

function fail(message, code) {
  process.stderr.write(`check-expected-failures: ${message}\n`);
  process.exit(code);
}

function parseList(text, where) {
  let list;
  try {
    list = JSON.parse(text);
  } catch (error) {
    fail(`${where} is not JSON: ${error.message}`, 2);
  }
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(list) || !Object.values(list).every(isObject)) {
    fail(`${where} must be {"<scenario>": {"<step>": "<reason>"}}`, 2);
  }
  return list;
}

function git(...args) {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The parent commit's list, or undefined (with the reason printed) when there is none to compare with. */
function baseFromGit() {
  try {
    git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}");
  } catch {
    console.log("check-expected-failures: skipped: there is no parent commit");
    return undefined;
  }
  try {
    git("cat-file", "-e", `HEAD~1:${listPath}`);
  } catch {
    console.log(`check-expected-failures: skipped: the parent commit has no ${listPath}`);
    return undefined;
  }
  return parseList(git("show", `HEAD~1:${listPath}`), `HEAD~1:${listPath}`);
}

const args = process.argv.slice(2);
const baseIndex = args.indexOf("--base");
let base;
if (baseIndex >= 0) {
  const file = args[baseIndex + 1];
  if (!file) fail("--base needs a file", 2);
  base = parseList(readFileSync(file, "utf8"), file);
} else {
  base = baseFromGit();
  if (base === undefined) process.exit(0);
}

let currentText;
try {
  currentText = readFileSync(new URL(`../${listPath}`, import.meta.url), "utf8");
} catch (error) {
  fail(`cannot read ${listPath}: ${error.message}`, 2);
}
const current = parseList(currentText, listPath);

const added = [];
let removed = 0;
for (const [scenario, steps] of Object.entries(current)) {
  for (const step of Object.keys(steps)) {
    if (!Object.hasOwn(base[scenario] ?? {}, step)) added.push(`${scenario} / ${step}`);
  }
}
for (const [scenario, steps] of Object.entries(base)) {
  for (const step of Object.keys(steps)) {
    if (!Object.hasOwn(current[scenario] ?? {}, step)) removed++;
  }
}

const count = (list) => Object.values(list).reduce((sum, steps) => sum + Object.keys(steps).length, 0);
if (added.length > 0) {
  process.stderr.write(
    `check-expected-failures: ${listPath} may only shrink, but ${added.length} ` +
      `${added.length === 1 ? "entry was" : "entries were"} added:\n` +
      added.map((entry) => `  + ${entry}\n`).join("") +
      "Make the step pass instead, or, where harper-ops is right and Harper is not, list it in " +
      "test/conformance/expected-differences.json and docs/compatibility.md.\n",
  );
  process.exit(1);
}
console.log(`check-expected-failures: ${count(current)} expected failures, ${removed} fewer than the parent commit`);
