/**
 * The parse thread's entry point (bounded-parse.ts starts it as a worker_thread): parses and
 * translates one statement per message with parseStatement and answers the plain IR, or the
 * SqlError's kind and message. It posts `{ready: true}` once AlaSQL is loaded and warmed up (a
 * fresh thread's first parses run unoptimised, several times slower, and the time limit should
 * measure the statement, not the thread's start). Imported outside a worker it does nothing.
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
  warmUp();
  port.postMessage({ ready: true } satisfies ParseReply);
}

/** Parses statements of the shapes long statements have (long lists, chains, nesting) a few times. */
function warmUp(): void {
  const list = Array.from({ length: 300 }, (_, i) => i).join(", ");
  const chain = Array.from({ length: 100 }, (_, i) => `a = ${i} OR NOT b LIKE 'x${i}'`).join(" AND ");
  const statements = [
    `SELECT a, b + 1 AS c, CASE WHEN a > 1 THEN 'x' ELSE "y" END, UPPER(b) FROM d.t WHERE a IN (${list}) AND (${chain}) ORDER BY a DESC LIMIT 5`,
    `INSERT INTO d.t (a, b) VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'v${i}')`).join(", ")}`,
    `UPDATE d.t SET b = ((((a * 2) + 1) - 3) / 4) WHERE ${chain}`,
  ];
  const limits: SqlLimits = { sqlLength: 1e9, sqlDepth: 1e9, sqlColumns: 1e9, sqlParseMs: 1e9 };
  // A different comment each round, so that no round is answered from the statement cache.
  for (let round = 0; round < 20; round++) for (const sql of statements) parseStatement(`${sql} -- ${round}`, limits);
}
