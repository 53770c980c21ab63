import { Worker } from "node:worker_threads";
import { checkSqlText } from "./check-sql-text.js";
import type { Statement } from "./ir.js";
import { tooBig, tooSlow } from "./limits.js";
import type { SqlLimits } from "./limits.js";
import { inlineParseLength, parseStatement } from "./parse.js";
import type { ParseReply, ParseRequest } from "./parse-worker.js";
import { SqlError } from "./sql-error.js";

/** Heap the parse thread may use; a parse that needs more answers 400 and the thread is replaced. */
const parseThreadHeapMb = 512;
/**
 * Long statements that may wait for the parse thread; one more is refused with 429 at once
 * (each waits at most `sqlParseMs` per statement ahead of it, and holds up to `sqlLength`
 * characters of memory while it waits).
 */
export const maxQueuedParses = 32;
/** How long the parse thread may take to start (load AlaSQL); not counted in `sqlParseMs`. */
const startupMs = 30_000;

/**
 * Parses `text` within `limits` (limits.ts): the size limits are checked first, on the calling
 * thread, by a linear scan (check-sql-text.ts). A statement of at most inlineParseLength
 * characters is then parsed on the calling thread (the hot path: cached, WHERE templates); a
 * longer one is parsed and translated on the parse thread, a worker_thread that is terminated
 * and replaced when it takes longer than `sqlParseMs` (400 naming the limit) or exhausts its
 * heap (400). The event loop never waits for a long parse, and requests never share a time
 * budget: statements queue for the parse thread and each one's clock starts when it is sent; when
 * maxQueuedParses already wait, the statement is refused (SqlError `busy`, 429).
 */
export function parseWithin(text: string, limits: SqlLimits): Statement | Promise<Statement> {
  const sql = text.trim();
  if (sql.length <= inlineParseLength) return parseStatement(sql, limits);
  checkSqlText(sql, limits);
  return parseThread.parse(sql, limits);
}

interface Job {
  sql: string;
  limits: SqlLimits;
  resolve: (statement: Statement) => void;
  reject: (error: unknown) => void;
}

/** One worker_thread that parses one statement at a time, replaced when a parse exceeds its limits. */
class ParseThread {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly queue: Job[] = [];
  private busy = false;
  private nextId = 0;

  parse(sql: string, limits: SqlLimits): Promise<Statement> {
    if (this.queue.length >= maxQueuedParses) {
      return Promise.reject(
        new SqlError("busy", `${maxQueuedParses} long SQL statements are waiting to be parsed, the limit; try again shortly`),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ sql, limits, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) return;
    this.busy = true;
    this.run(job)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private async run(job: Job): Promise<Statement> {
    const worker = await this.started();
    return new Promise<Statement>((resolve, reject) => {
      const id = ++this.nextId;
      const settle = (outcome: () => void, kill: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (kill) this.discard(worker);
        outcome();
      };
      const onMessage = (reply: ParseReply) => {
        if (!("id" in reply) || reply.id !== id) return;
        if ("statement" in reply) settle(() => resolve(reply.statement), false);
        else if ("refused" in reply) settle(() => reject(new SqlError(reply.refused.kind, reply.refused.message)), false);
        else settle(() => reject(new Error(`the SQL parse thread failed: ${reply.failed}`)), false);
      };
      const onError = (error: Error) => {
        const outOfMemory = (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        settle(() => reject(outOfMemory ? tooBig() : error), true);
      };
      const onExit = () => settle(() => reject(tooBig()), true);
      const timer = setTimeout(() => settle(() => reject(tooSlow(job.limits.sqlParseMs)), true), job.limits.sqlParseMs);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage({ id, sql: job.sql, limits: { ...job.limits } } satisfies ParseRequest);
    });
  }

  /** The running worker, started (and AlaSQL loaded) when there is none. */
  private started(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = new Worker(new URL("./parse-worker.js", import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: parseThreadHeapMb },
    });
    worker.unref();
    this.worker = worker;
    const ready = new Promise<Worker>((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        outcome();
      };
      const onMessage = (reply: ParseReply) => {
        if ("ready" in reply) done(() => resolve(worker));
      };
      const onError = (error: Error) => done(() => reject(error));
      const onExit = (code: number) => done(() => reject(new Error(`the SQL parse thread exited with ${code} while starting`)));
      const timer = setTimeout(() => done(() => reject(new Error(`the SQL parse thread did not start within ${startupMs} ms`))), startupMs);
      timer.unref();
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    this.ready = ready;
    ready.catch(() => this.discard(worker));
    return ready;
  }

  /** Stops `worker` (if it is the current one, the next parse starts a new one). */
  private discard(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
    worker.removeAllListeners("message");
    worker.on("error", () => {}); // a late error of a thread being terminated is not anyone's answer
    void worker.terminate();
  }
}

const parseThread = new ParseThread();
