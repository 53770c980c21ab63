import { readFileSync } from "node:fs";
import type { StepOutcome, StepPlan } from "./replayer.js";
import type { Scenario, Step } from "./transcript.js";

// The two checked-in lists, keyed by scenario and step name:
//   expected-failures.json     {"<scenario>": {"<step>": "<why: the operation or issue not built yet>"}}
//   expected-differences.json  {"<scenario>": {"<step>": {"status": 400, "reason": "<why harper-ops is right>"}}}
//                              or, where Harper 4.7.29 fails on a plain bug that harper-ops does not copy,
//                              {"status": 200, "body": <harper-ops' answer>, "reason": "<the bug>"}
//                              plus "volatile": ["/inserted_hashes/*"] where that answer varies per run (a
//                              generated key): any value there passes that has the JSON type the body gives
//                              plus "poll": false where a polled step's condition can never hold for that answer
// A listed failure is still sent (later steps may need its side effects) but never polled, and its
// result is not judged, except that a listed failure that passes is an error: the list only shrinks.
// An expected difference is judged against the recorded body with the status it names.

/** Why harper-ops answers a step differently from Harper, and the status it answers instead. */
export interface ExpectedDifference {
  status: number;
  reason: string;
  /** The body harper-ops answers instead, for a step where Harper answers a bug with an error. */
  body?: unknown;
  /**
   * Pointers (`*` allowed) into `body` whose value varies from run to run, such as a generated
   * key: the answer passes there with any value of the JSON type `body` has there (a number for a
   * number, never null).
   */
  volatile?: string[];
  /** False for a polled step whose condition can never hold for harper-ops' answer: sent once. */
  poll?: false;
}

/** Both lists. */
export interface Expectations {
  failures: Record<string, Record<string, string>>;
  differences: Record<string, Record<string, ExpectedDifference>>;
}

/** How a step came out against the lists. */
export type Verdict = "passed" | "failed" | "expected-failure" | "unexpected-pass";

/** A step outcome with its verdict. */
export interface JudgedStep extends StepOutcome {
  verdict: Verdict;
  /** The list's reason, for listed steps. */
  reason?: string;
}

/** Reads `expected-failures.json` and `expected-differences.json` of a folder. */
export function loadExpectations(folder: URL): Expectations {
  const read = (name: string) => JSON.parse(readFileSync(new URL(name, folder), "utf8"));
  return { failures: read("expected-failures.json"), differences: read("expected-differences.json") };
}

/** Entries that name no scenario or step of the transcripts, have no reason, or expect a status that is not 4xx. */
export function checkExpectations(expectations: Expectations, scenarios: readonly Scenario[]): string[] {
  const problems: string[] = [];
  const steps = new Map(scenarios.map((s) => [s.scenario, new Set(s.steps.map((step) => step.name))]));
  const check = (list: string, entries: Record<string, Record<string, unknown>>, reasonOf: (v: unknown) => unknown) => {
    for (const [scenario, listed] of Object.entries(entries)) {
      const known = steps.get(scenario);
      if (!known) {
        problems.push(`${list}: no scenario '${scenario}'`);
        continue;
      }
      for (const [step, value] of Object.entries(listed)) {
        if (!known.has(step)) problems.push(`${list}: ${scenario} has no step '${step}'`);
        const reason = reasonOf(value);
        if (typeof reason !== "string" || reason.trim() === "") problems.push(`${list}: ${scenario} / ${step} gives no reason`);
      }
    }
  };
  check("expected-failures.json", expectations.failures, (value) => value);
  check("expected-differences.json", expectations.differences, (value) => (value as ExpectedDifference).reason);
  for (const [scenario, listed] of Object.entries(expectations.differences)) {
    for (const [step, { status, body, volatile }] of Object.entries(listed)) {
      if (volatile !== undefined && (body === undefined || !Array.isArray(volatile) || !volatile.every((p) => typeof p === "string" && p.startsWith("/")))) {
        problems.push(`expected-differences.json: ${scenario} / ${step} needs a body and pointers for its volatile values`);
      }
      const fixedBug = body !== undefined && status === 200;
      if (!fixedBug && (!Number.isInteger(status) || status < 400 || status > 499)) {
        problems.push(`expected-differences.json: ${scenario} / ${step} must expect a 4xx status (or 200 with a body), not ${status}`);
      }
    }
  }
  return problems;
}

/**
 * The expected differences that docs/compatibility.md does not mirror: each needs a table row
 * that starts `| <scenario> | <step> |`.
 */
export function undocumentedDifferences(expectations: Expectations, markdown: string): string[] {
  const rows = new Set(
    markdown
      .split("\n")
      .map((line) => line.split("|").map((cell) => cell.trim()))
      .filter((cells) => cells.length > 3)
      .map((cells) => `${cells[1]} / ${cells[2]}`),
  );
  return Object.entries(expectations.differences)
    .flatMap(([scenario, listed]) => Object.keys(listed).map((step) => `${scenario} / ${step}`))
    .filter((entry) => !rows.has(entry));
}

/** The replay plan of a scenario's steps: listed failures are not polled, differences expect their status. */
export function planFor(expectations: Expectations, scenario: string): (step: Step) => StepPlan {
  return (step) => ({
    poll: expectations.failures[scenario]?.[step.name] === undefined && expectations.differences[scenario]?.[step.name]?.poll !== false,
    status: expectations.differences[scenario]?.[step.name]?.status,
    body: expectations.differences[scenario]?.[step.name]?.body as StepPlan["body"],
    volatile: expectations.differences[scenario]?.[step.name]?.volatile,
  });
}

/** Gives each outcome of a scenario its verdict. */
export function judge(expectations: Expectations, scenario: string, outcomes: readonly StepOutcome[]): JudgedStep[] {
  return outcomes.map((outcome) => {
    const passed = outcome.differences.length === 0;
    const failure = expectations.failures[scenario]?.[outcome.step.name];
    if (failure !== undefined) return { ...outcome, verdict: passed ? "unexpected-pass" : "expected-failure", reason: failure };
    const reason = expectations.differences[scenario]?.[outcome.step.name]?.reason;
    return { ...outcome, verdict: passed ? "passed" : "failed", ...(reason !== undefined ? { reason } : {}) };
  });
}

/** The failures list without the steps that now pass (what `CONFORMANCE_PRUNE=1` writes back). */
export function prunedFailures(
  failures: Expectations["failures"],
  judged: ReadonlyMap<string, readonly JudgedStep[]>,
): Expectations["failures"] {
  const pruned: Expectations["failures"] = {};
  for (const [scenario, listed] of Object.entries(failures)) {
    const passing = new Set((judged.get(scenario) ?? []).filter((s) => s.verdict === "unexpected-pass").map((s) => s.step.name));
    const kept = Object.fromEntries(Object.entries(listed).filter(([step]) => !passing.has(step)));
    if (Object.keys(kept).length > 0) pruned[scenario] = kept;
  }
  return pruned;
}
