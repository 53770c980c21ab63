// Layering rules for harper-ops, checked in CI by `npm run lint:deps`
// (dependency-cruiser 17, see docs/layering.md for the picture these rules draw).
//
// This file is CommonJS (.cjs) on purpose: package.json says "type": "module",
// and dependency-cruiser 17 loads a .cjs config with a plain require(), whatever
// the project's module type is.
//
// Paths in the rules are relative to the repository root, "/"-separated
// (dependency-cruiser normalizes them), e.g. "src/storage/catalog.ts" or
// "node_modules/lmdb/index.js".

/** npm packages, in whatever dependency section of package.json they sit. */
const NPM = [
  "npm",
  "npm-dev",
  "npm-optional",
  "npm-peer",
  "npm-bundled",
  "npm-no-pkg",
  "npm-unknown",
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "storage-is-the-bottom",
      severity: "error",
      comment:
        "src/storage/ is the lowest layer: it owns the LMDB environment and everything " +
        "above it (services, sql, auth, server, ...) is built on it. If storage imported " +
        "any of those, a change up there could break the storage engine and the layers " +
        "could no longer be tested or reasoned about bottom-up. Storage may import only " +
        "its own files, node built-ins and npm packages; move the shared piece down into " +
        "src/storage/ or pass it in as a parameter instead.",
      from: { path: "^src/storage/" },
      to: {
        pathNot: "^src/storage/",
        dependencyTypesNot: ["core", ...NPM],
      },
    },
    {
      name: "services-not-to-compat-or-server",
      severity: "error",
      comment:
        "src/services/ implements the typed RPCs. src/compat/ (the Harper JSON " +
        "Operations API adapter) and src/server/ (listeners, the app wiring) sit on top " +
        "of the services and call them; main.ts and cli.ts are the entry points. A " +
        "service that imports any of them turns the layering upside down and makes a " +
        "cycle waiting to happen. Put what both sides need in src/contract/ (or the " +
        "layer below), or take it as a parameter (e.g. the Dispatch type in src/dispatch/).",
      from: { path: "^src/services/" },
      to: { path: ["^src/compat/", "^src/server/", "^src/(main|cli)\\.ts$"] },
    },
    {
      name: "only-storage-imports-lmdb",
      severity: "error",
      comment:
        "LMDB (and msgpackr, the record encoding lmdb uses) is an implementation detail " +
        "of src/storage/: transactions, key encoding and the on-disk format are decided " +
        "there, once. Everything else goes through the storage API, so it cannot bypass " +
        "indexes, the audit log or the catalog, and the engine stays replaceable.",
      from: { pathNot: "^src/storage/" },
      to: {
        path: [
          "(^|/)node_modules/(lmdb|msgpackr|msgpackr-extract)/",
          // same, if it could not be resolved (not installed)
          "^(lmdb|msgpackr|msgpackr-extract)(/|$)",
        ],
      },
    },
    {
      name: "gen-is-generated-from-proto-only",
      severity: "error",
      comment:
        "gen/ is written by `buf generate` from proto/ and CI checks that it is exactly " +
        "what buf makes; generated code that imports hand-written src/ would mean the " +
        "contract depends on the implementation (and would be overwritten anyway).",
      from: { path: "^gen/" },
      to: { path: "^src/" },
    },
    {
      name: "server-only-from-entry-points",
      severity: "error",
      comment:
        "src/server/ is the composition root (listeners, the app that wires services, " +
        "compat and auth together). Only the entry points (src/main.ts, src/cli.ts) and " +
        "src/server/ itself may import it; anything else importing it reaches up through " +
        "every layer at once.",
      from: { path: "^src/", pathNot: ["^src/server/", "^src/(main|cli)\\.ts$"] },
      to: { path: "^src/server/" },
    },
    {
      name: "entry-points-are-not-imported",
      severity: "error",
      comment:
        "src/main.ts and src/cli.ts are entry points: they start things when loaded. " +
        "Nothing in src/ or gen/ imports them (cli.ts may use main.ts).",
      from: { pathNot: "^src/cli\\.ts$" },
      to: { path: "^src/(main|cli)\\.ts$" },
    },
    {
      name: "no-unresolvable-imports",
      severity: "error",
      comment:
        "Every rule above matches on resolved paths. An import dependency-cruiser cannot " +
        "resolve (a typo, a missing package, a .js import whose .ts file is gone) would " +
        "slip past them unnoticed, so it is an error of its own (tsc would also fail).",
      from: {},
      to: { couldNotResolve: true },
    },
    // "No import cycles between the top-level folders of src/" is not a rule in
    // this file, because no dependency-cruiser 17 rule says it reliably:
    //  - `to: { circular: true }` finds module cycles; src/a/x -> src/b/y -> src/a/z
    //    is a folder cycle without one.
    //  - `scope: "folder"` rules build their graph over every folder level, edges
    //    going to the imported file's own folder: src/a/x/1 -> src/b/y/2 plus
    //    src/b/z/3 -> src/a/w/4 is a src/a <-> src/b cycle it does not see, and
    //    src/storage/query <-> src/storage (one layer) would count as one.
    //  - `collapse` only changes what the reporters draw; rules still run on modules.
    // tools/check-folder-cycles.mjs takes the JSON result of this same cruise,
    // collapses each module to src/<folder> (or gen) and finds the strongly
    // connected components; `npm run lint:deps` runs the cruise and then it.
  ],
  options: {
    // Follow only the project's own files; npm packages are recorded, not entered.
    doNotFollow: { path: "(^|/)node_modules/" },
    // NodeNext: source imports "./x.js", which is "./x.ts" on disk.
    // Handing dependency-cruiser the tsconfig makes it parse with the TypeScript
    // compiler and resolve .js specifiers to their .ts files.
    tsConfig: { fileName: "tsconfig.json" },
    // Count `import type` and imports that are only used as types: a type import
    // from a higher layer couples the code as much as a value import does.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types", "typings"],
    },
    // Folder metrics are not needed: the folder-cycle check does its own collapsing.
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
