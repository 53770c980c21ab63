#!/usr/bin/env node
// The second half of `npm run lint:deps` (docs/layering.md).
//
// Reads one dependency-cruiser result (`depcruise ... --output-type json`) from
// stdin, or from the file named as the first argument, and
//   1. prints the violations of the rules in .dependency-cruiser.cjs that the
//      result holds, the way dependency-cruiser's err-long reporter does (its
//      format() API would do it too, but importing it costs a second);
//   2. collapses every module to its top-level folder (src/storage/query/x.ts
//      -> src/storage, gen/harper/v1/y.ts -> gen) and reports each cycle
//      between those folders, with the imports that make it up.
// Exits 1 if either found anything, 2 if the input is not a cruise result,
// 0 otherwise. One cruise serves both checks, so the check costs one parse
// of src/ and gen/.
//
// Why not a dependency-cruiser rule for 2: see the comment at the end of the
// rules in .dependency-cruiser.cjs (module cycles are not folder cycles, and
// scope: "folder" rules work on every folder level, not on src/<folder>).

import { readFileSync } from "node:fs";

/** Folders at this depth are the nodes of the graph: src/<name> and gen. */
function topFolder(path) {
  const src = /^src\/([^/]+)\//.exec(path);
  if (src) return `src/${src[1]}`;
  if (path.startsWith("gen/")) return "gen";
  return null; // src/main.ts, src/cli.ts, node_modules, node built-ins
}

function readInput() {
  const file = process.argv[2];
  const text = readFileSync(file ?? 0, "utf8");
  if (text.trim() === "") {
    throw new Error("no input: dependency-cruiser printed nothing (see its error above)");
  }
  const result = JSON.parse(text);
  if (!Array.isArray(result?.modules) || !result.summary) {
    throw new Error("input is not a dependency-cruiser result (run it with --output-type json)");
  }
  if (result.modules.length === 0) {
    throw new Error("dependency-cruiser found no modules: check the paths it was given");
  }
  return result;
}

/** Folder graph: from folder -> to folder -> the "a.ts → b.ts" imports behind that edge. */
function folderGraph(modules) {
  const graph = new Map();
  for (const module of modules) {
    const from = topFolder(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      const to = topFolder(dependency.resolved);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const targets = graph.get(from);
      if (!targets.has(to)) targets.set(to, []);
      const line = `${module.source} → ${dependency.resolved}`;
      if (!targets.get(to).includes(line)) targets.get(to).push(line);
    }
  }
  return graph;
}

/** Tarjan's strongly connected components; returns those of two or more folders. */
function cycles(graph) {
  const nodes = new Set(graph.keys());
  for (const targets of graph.values()) for (const to of targets.keys()) nodes.add(to);
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** The shortest loop from `start` back to itself inside `members`, e.g. [a, b, a]. */
function shortestLoop(graph, members, start) {
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!members.has(next) || previous.has(next)) continue;
      previous.set(next, node);
      if (next === start) {
        const loop = [start];
        for (let at = node; at !== start; at = previous.get(at)) loop.push(at);
        loop.push(start);
        return loop.reverse();
      }
      queue.push(next);
    }
  }
  return null; // not reached for members of a strongly connected component
}

/** Shortest loops through each folder of the component, each loop listed once. */
function loopsOf(graph, component) {
  const members = new Set(component);
  const seen = new Set();
  const loops = [];
  for (const folder of component) {
    const loop = shortestLoop(graph, members, folder);
    if (!loop) continue;
    // the same loop found from another of its folders: compare its rotations
    const ring = loop.slice(0, -1);
    const first = ring.indexOf([...ring].sort()[0]);
    const key = [...ring.slice(first), ...ring.slice(0, first)].join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    loops.push(loop);
  }
  return loops.sort((a, b) => a.length - b.length);
}

const SHOWN_IMPORTS = 3;

function printCycle(graph, component) {
  const loops = loopsOf(graph, component);
  const edgesOf = (loop) => loop.slice(0, -1).map((from, i) => `${from} → ${loop[i + 1]}`);
  const inEvery = edgesOf(loops[0]).filter((edge) => loops.every((loop) => edgesOf(loop).includes(edge)));
  console.log(`  error no-folder-cycles: ${component.join(", ")} import each other`);
  console.log("    Folders are layers: each may import only folders below it (docs/layering.md),");
  console.log("    so a loop between them means an import points the wrong way. Loops:");
  for (const loop of loops) {
    console.log(`    ${loop.join(" → ")}`);
    for (let i = 0; i + 1 < loop.length; i += 1) {
      const imports = graph.get(loop[i]).get(loop[i + 1]);
      console.log(`      ${loop[i]} → ${loop[i + 1]}`);
      for (const line of imports.slice(0, SHOWN_IMPORTS)) console.log(`        ${line}`);
      if (imports.length > SHOWN_IMPORTS) console.log(`        (and ${imports.length - SHOWN_IMPORTS} more)`);
    }
  }
  if (inEvery.length > 0) {
    console.log(`    every loop above goes through ${inEvery.join(" and ")}: start there.`);
  }
  console.log("");
}

/** Wraps a rule's comment to the terminal-friendly width err-long uses. */
function wrap(text, indent, width = 78) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** The rule violations dependency-cruiser found, one block each, then a count. */
function printRuleViolations(result) {
  const { summary } = result;
  const comments = new Map(
    [...(summary.ruleSetUsed?.forbidden ?? []), ...(summary.ruleSetUsed?.required ?? [])].map((rule) => [
      rule.name,
      rule.comment,
    ]),
  );
  const name = (step) => (typeof step === "string" ? step : step.name);
  console.log("");
  for (const violation of summary.violations) {
    const chain = violation.cycle ?? violation.via;
    const target = chain?.length ? chain.map(name).join(" → ") : violation.to;
    console.log(`  ${violation.rule.severity} ${violation.rule.name}: ${violation.from} → ${target}`);
    const comment = comments.get(violation.rule.name);
    if (comment) console.log(wrap(comment, "    "));
    console.log("");
  }
  const counts = `${summary.totalCruised} modules, ${summary.totalDependenciesCruised} dependencies cruised`;
  if (summary.violations.length === 0) {
    console.log(`✔ no dependency violations found (${counts}).`);
  } else {
    console.log(
      `x ${summary.violations.length} dependency violations (${summary.error} errors, ` +
        `${summary.warn} warnings). ${counts}.`,
    );
  }
}

function main() {
  let result;
  try {
    result = readInput();
  } catch (error) {
    console.error(`check-folder-cycles: ${error.message}`);
    return 2;
  }

  // 1. the rules in .dependency-cruiser.cjs
  printRuleViolations(result);
  const ruleErrors = result.summary.error;

  // 2. cycles between top-level folders
  const graph = folderGraph(result.modules);
  const found = cycles(graph);
  if (found.length === 0) {
    console.log("");
    console.log(`✔ no import cycles between the top-level folders (${graph.size} folders import others).`);
  } else {
    console.log("");
    for (const component of found) printCycle(graph, component);
    console.log(`x ${found.length} cycle(s) between top-level folders.`);
  }

  return ruleErrors > 0 || found.length > 0 ? 1 : 0;
}

process.exitCode = main();
