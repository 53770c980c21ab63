import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Writable } from "node:stream";
import { threadId } from "node:worker_threads";
import { startRotation } from "./rotation.js";
import type { RotationSettings } from "./rotation.js";
import pino from "pino";
import type { Logger as PinoLogger } from "pino";

/** Harper's log levels, most verbose first; `notify` is always written. */
export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "notify"] as const;

/** One of Harper's log levels. */
export type LogLevel = (typeof logLevels)[number];

/** The server's logger: pino with Harper's levels (notify above fatal). */
export type Logger = PinoLogger<"notify">;

/** Where and how much the logger writes. */
export interface LoggerOptions {
  /** The least severe level written. */
  level: LogLevel;
  /** The JSON-lines log file (`<logging.root>/hdb.log`), or undefined for none. */
  file?: string;
  /** Also write readable lines to standard output (`logging.stdStreams`). */
  stdStreams: boolean;
  /** The thread name of Harper's log lines ("main", "http"); default "main". */
  thread?: string;
  /** Rotation of the log file (logging.rotation). */
  rotation?: RotationSettings;
}

// No redaction pass: log lines carry only the fields the server chooses (operation, user,
// protocol, status, duration, error text), never request bodies or headers, so credentials cannot
// reach the log; pino's redaction cost about 3% of a request's CPU.

/**
 * Creates the logger: JSON lines `{"level","time","thread","tags","message",...}`, each key once,
 * to the log file (read back by read_log), and on standard output readable lines in Harper's
 * format `[thread] [level]: message`. A line is on this process's thread (`main/0`) unless its
 * fields name another (`logger.info({ thread: "http/1" }, ...)`); do not bind `thread` in a
 * child logger, which would write the key twice. Call `flush()` before exiting.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry<pino.Level | "notify">[] = [];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    const destination = pino.destination({ dest: options.file, sync: false });
    streams.push({ level: options.level, stream: destination });
    if (options.rotation) {
      mkdirSync(options.rotation.path, { recursive: true });
      startRotation(options.file, destination, options.rotation, (error) => process.emitWarning(`log rotation failed: ${String(error)}`));
    }
  }
  if (options.stdStreams) streams.push({ level: options.level, stream: createReadableStream(process.stdout) });
  const thread = `${options.thread ?? "main"}/${threadId}`;
  return pino<"notify">(
    {
      level: options.level,
      customLevels: { notify: 70 },
      messageKey: "message",
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      // The thread is not a base binding: pino writes bindings and a line's own fields side by
      // side, so a line (or child) naming its thread would carry the key twice. The mixin names
      // this process's thread unless the line names its own (`{ thread: "http/1" }`), which wins.
      base: null,
      mixin: () => ({ thread }),
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams as pino.StreamEntry<"notify">[], { levels: { ...pino.levels.values, notify: 70 } }),
  );
}

/** A stream that turns pino's JSON lines into Harper's readable lines. */
function createReadableStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line) out.write(readableLine(line) + "\n");
      }
      callback();
    },
  });
}

/** `[main/0] [info] [tag]: message key=value ...` from one JSON log line. */
export function readableLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time: _time, thread, tags, message, ...rest } = entry;
  const tagText = Array.isArray(tags) ? tags.map((tag) => ` [${String(tag)}]`).join("") : "";
  const extra = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `[${String(thread)}] [${String(level)}]${tagText}: ${String(message ?? "")}${extra ? ` ${extra}` : ""}`;
}
