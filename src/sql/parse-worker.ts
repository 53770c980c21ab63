/**
 * The parse thread's entry point (bounded-parse.ts starts it as a worker_thread): parses and
 * translates one statement per message with parseStatement and answers the plain IR, or the
 * SqlError's kind and message. It posts `{ready: true}` once AlaSQL is loaded (about 250 ms; the
 * time limit measures the statement, not the thread's start). A warm-up parse was measured and
 * dropped: it tripled the start and did not measurably speed up a fresh thread's first parse.
 * Imported outside a worker it does nothing.
 */
import { parentPort } from "node:worker_threads";
import type { Statement } from "./ir.js";
import type { SqlLimits } from "./limits.js";
import { parseStatement } from "./parse.js";
import { isSqlError } from "./sql-error.js";
import type { SqlError } from "./sql-error.js";

/** What the parse thread is asked. */
export interface ParseRequest {
  id: number;
  sql: string;
  limits: SqlLimits;
}

/** What the parse thread answers: ready, a statement, a SqlError, or an unexpected failure. */
export type ParseReply =
  | { ready: true }
  | { id: number; statement: Statement }
  | { id: number; refused: { kind: SqlError["kind"]; message: string } }
  | { id: number; failed: string };

const port = parentPort;
if (port) {
  port.on("message", ({ id, sql, limits }: ParseRequest) => {
    let reply: ParseReply;
    try {
      reply = { id, statement: parseStatement(sql, limits) };
    } catch (error) {
      reply = isSqlError(error)
        ? { id, refused: { kind: error.kind, message: error.message } }
        : { id, failed: error instanceof Error ? error.message : String(error) };
    }
    try {
      port.postMessage(reply);
    } catch (error) {
      port.postMessage({ id, failed: error instanceof Error ? error.message : String(error) } satisfies ParseReply);
    }
  });
  port.postMessage({ ready: true } satisfies ParseReply);
}

