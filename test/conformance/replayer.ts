import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { JsonValue } from "@bufbuild/protobuf";
import { canonicalJson, compareAnswer } from "./compare.js";
import type { Answer, Difference } from "./compare.js";
import { cloneJson, expandPointer, getAt, replaceAt } from "./json-pointer.js";
import { applySelect } from "./select.js";
import { sendRequest } from "./send-request.js";
import { normaliseVariables, resolveTemplate } from "./templates.js";
import type { Variables } from "./templates.js";
import { isRawBody } from "./transcript.js";
import type { AuthSpec, PollSpec, Scenario, Step } from "./transcript.js";

// Replays a scenario the way README.md describes it: files, cleanup, then every step in order
// (delay, let, request, poll, bind, select, normalise, compare), then cleanup again. The replayer
// judges each step against its golden; which results are expected is the caller's business.

/** Where the server is and who the transcripts' "admin" is. */
export interface ReplayerOptions {
  /** The server's Operations API, e.g. `http://127.0.0.1:9925/`. */
  baseUrl: string;
  user: string;
  password: string;
  /** The folder every `{{$dir}}` stands for; the server reads and writes files there. */
  dir: string;
  /** How long one request may take; default 30 s. */
  requestTimeoutMs?: number;
}

/** How to run and judge one step. */
export interface StepPlan {
  /** Resend a `poll` step until its condition holds; when false it is sent once. */
  poll: boolean;
  /** The status to expect instead of the recorded one. */
  status?: number;
  /** The body to expect instead of the recorded one (a Harper bug harper-ops does not copy). */
  body?: JsonValue;
  /** Pointers into `body` where any value of the JSON type `body` has there passes (a generated key). */
  volatile?: string[];
}

/** The result of one step: what the server answered (after select and normalisation) and how it differs. */
export interface StepOutcome {
  step: Step;
  answer: Answer | undefined;
  /** Empty when the step passed. */
  differences: Difference[];
}

/** Runs scenarios against one server. */
export interface Replayer {
  runScenario(scenario: Scenario, plan?: (step: Step) => StepPlan): Promise<StepOutcome[]>;
}

/** A step that cannot be sent: an unbound variable, or a token an earlier step did not answer. */
class StepSetupError extends Error {
  override name = "StepSetupError";
}

/** A step that could not be sent or narrowed, as a difference. */
function unable(what: "(request)" | "(select)", error: unknown): Difference {
  const message = error instanceof Error ? error.message : String(error);
  return { pointer: what, expected: what === "(request)" ? "a request to send" : "a select to apply", actual: message };
}

function basic(user: string, password: string): string {
  return "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
}

function kindOf(value: JsonValue): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/**
 * The answer as judged against an expected body with varying values: each value at one of the
 * pointers takes the expected value when it has the same JSON type, so only a wrong type (a null
 * for a number) or a missing value is a difference.
 */
function acceptVolatile(body: JsonValue, expected: JsonValue, pointers: readonly string[]): JsonValue {
  let accepted = cloneJson(body);
  for (const pointer of pointers) {
    for (const path of expandPointer(accepted, pointer)) {
      const want = getAt(expected, path);
      const got = getAt(accepted, path);
      if (want !== undefined && got !== undefined && kindOf(want) === kindOf(got)) accepted = replaceAt(accepted, path, cloneJson(want));
    }
  }
  return accepted;
}

function pollDone(body: JsonValue, poll: PollSpec): boolean {
  const value = getAt(body, poll.until.pointer);
  const { until } = poll;
  if (until.in !== undefined) return value !== undefined && until.in.some((v) => canonicalJson(v) === canonicalJson(value));
  if (until.equals !== undefined) return value !== undefined && canonicalJson(until.equals) === canonicalJson(value);
  if (until.exists !== undefined) return (value !== undefined) === until.exists;
  return true;
}

/** Creates a replayer for the server at `options.baseUrl`. */
export function createReplayer(options: ReplayerOptions): Replayer {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  function authorization(auth: AuthSpec | undefined, answers: Map<string, JsonValue>): string | undefined {
    if (auth === undefined || auth === "admin") return basic(options.user, options.password);
    if (auth === "none") return undefined;
    if ("basic" in auth) return basic(auth.basic[0], auth.basic[1]);
    if ("bearer" in auth) return `Bearer ${auth.bearer}`;
    if ("header" in auth) return auth.header;
    const field = auth.field ?? "operation_token";
    const token = getAt(answers.get(auth.bearer_from_step), [field]);
    if (typeof token !== "string") {
      throw new StepSetupError(`step '${auth.bearer_from_step}' answered no ${field} to authenticate with`);
    }
    return `Bearer ${token}`;
  }

  function outgoing(step: Step, variables: Variables, answers: Map<string, JsonValue>) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const auth = authorization(step.auth, answers);
    if (auth !== undefined) headers["authorization"] = auth;
    for (const [name, value] of Object.entries(step.headers ?? {})) {
      if (value === null) delete headers[name.toLowerCase()];
      else headers[name.toLowerCase()] = value;
    }
    const body = isRawBody(step.request)
      ? String(resolveTemplate(step.request.raw, variables))
      : JSON.stringify(resolveTemplate(step.request, variables));
    return { url: options.baseUrl, headers, body, timeoutMs };
  }

  async function send(step: Step, plan: StepPlan, variables: Variables, answers: Map<string, JsonValue>) {
    let answer = await sendRequest(outgoing(step, variables, answers));
    if (step.poll && plan.poll) {
      const deadline = Date.now() + (step.poll.timeout_ms ?? 120_000);
      while (!pollDone(answer.body, step.poll) && Date.now() < deadline) {
        await sleep(step.poll.interval_ms ?? 500);
        answer = await sendRequest(outgoing(step, variables, answers));
      }
    }
    return answer;
  }

  /** Sets the `bind` variables; returns the pointers that the answer does not have. */
  function bind(step: Step, body: JsonValue | undefined, variables: Variables): Difference[] {
    const missing: Difference[] = [];
    for (const [name, source] of Object.entries(step.bind ?? {})) {
      if (source === "$now") variables[name] = Date.now();
      else if (source === "$uuid") variables[name] = randomUUID();
      else if (body !== undefined) {
        const value = getAt(body, source);
        if (value === undefined) missing.push({ pointer: "(bind)", expected: `a value at ${source} for {{${name}}}`, actual: "<absent>" });
        else variables[name] = value;
      }
    }
    return missing;
  }

  async function runStep(step: Step, plan: StepPlan, variables: Variables, answers: Map<string, JsonValue>): Promise<StepOutcome> {
    if (step.delay_ms) await sleep(step.delay_ms);
    for (const [name, value] of Object.entries(step.let ?? {})) {
      variables[name] = value === "$now" ? Date.now() : value === "$uuid" ? randomUUID() : value;
    }
    let raw;
    try {
      raw = await send(step, plan, variables, answers);
    } catch (error) {
      return { step, answer: undefined, differences: [unable("(request)", error), ...bind(step, undefined, variables)] };
    }
    answers.set(step.name, raw.body);
    const unbound = bind(step, raw.body, variables);
    try {
      const body = normaliseVariables(applySelect(raw.body, step.select, variables), variables);
      const answer = { status: raw.status, body };
      const expected = plan.body === undefined ? step : { ...step, response: plan.body };
      const judged = plan.volatile === undefined ? answer : { ...answer, body: acceptVolatile(body, expected.response, plan.volatile) };
      return { step, answer, differences: [...compareAnswer(expected, judged, plan.status), ...unbound] };
    } catch (error) {
      const answer = { status: raw.status, body: normaliseVariables(raw.body, variables) };
      return { step, answer, differences: [unable("(select)", error), ...unbound] };
    }
  }

  async function cleanup(scenario: Scenario): Promise<void> {
    const headers = { "content-type": "application/json", authorization: basic(options.user, options.password) };
    for (const body of scenario.cleanup ?? []) {
      await sendRequest({ url: options.baseUrl, headers, body: JSON.stringify(body), timeoutMs }).catch(() => undefined);
    }
  }

  async function writeFiles(scenario: Scenario): Promise<void> {
    for (const file of scenario.files ?? []) {
      const path = file.path.replaceAll("{{$dir}}", options.dir);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.base64 !== undefined ? Buffer.from(file.base64, "base64") : (file.text ?? ""));
    }
  }

  return {
    async runScenario(scenario, plan = () => ({ poll: true })) {
      const variables: Variables = { $dir: options.dir };
      const answers = new Map<string, JsonValue>();
      await writeFiles(scenario);
      await cleanup(scenario);
      const outcomes: StepOutcome[] = [];
      try {
        for (const step of scenario.steps) outcomes.push(await runStep(step, plan(step), variables, answers));
      } finally {
        await cleanup(scenario);
      }
      return outcomes;
    },
  };
}
