import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";

/** One entry of the standard log as read_log answers it (spec system-config-logs.md §6.3). */
export interface LogLine {
  timestamp: string;
  thread: string;
  level: string;
  tags: string[];
  message: string;
}

/** read_log's filters, already checked. */
export interface LogQuery {
  start: number;
  limit: number;
  /** Exact level match. */
  level?: string;
  /** Inclusive bounds, epoch ms. */
  from?: number;
  to?: number;
  /** Absent: file order. */
  order?: "asc" | "desc";
  /** Substring of the timestamp, thread, level, message or a tag. */
  filter?: string;
}

/** A JSON line of our log file (logger.ts) as an entry, or undefined for anything else. */
function entryOf(line: string): LogLine | undefined {
  if (!line.startsWith("{")) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof parsed["time"] !== "string" || typeof parsed["level"] !== "string") return undefined;
  const tags = Array.isArray(parsed["tags"]) ? (parsed["tags"] as unknown[]).map(String) : [];
  const message = String(parsed["message"] ?? "");
  return { timestamp: parsed["time"], thread: String(parsed["thread"] ?? ""), level: parsed["level"], tags, message };
}

function matches(entry: LogLine, query: LogQuery): boolean {
  if (query.level !== undefined && entry.level !== query.level) return false;
  if (query.from !== undefined || query.to !== undefined) {
    const time = Date.parse(entry.timestamp);
    if (query.from !== undefined && time < query.from) return false;
    if (query.to !== undefined && time > query.to) return false;
  }
  if (query.filter !== undefined) {
    const f = query.filter;
    if (!(entry.timestamp.includes(f) || entry.thread.includes(f) || entry.level.includes(f) || entry.message.includes(f) || entry.tags.some((t) => t.includes(f)))) {
      return false;
    }
  }
  return true;
}

/** The lines of a file from its end, lazily, a chunk at a time. */
async function* linesBackwards(path: string, chunkSize = 64 * 1024): AsyncGenerator<string> {
  const file = await open(path, "r");
  try {
    let position = (await file.stat()).size;
    let rest = "";
    while (position > 0) {
      const size = Math.min(chunkSize, position);
      position -= size;
      const buffer = Buffer.alloc(size);
      await file.read(buffer, 0, size, position);
      const text = buffer.toString("utf8") + rest;
      const lines = text.split("\n");
      rest = lines.shift() ?? "";
      for (let i = lines.length - 1; i >= 0; i--) if (lines[i]) yield lines[i]!;
    }
    if (rest) yield rest;
  } finally {
    await file.close();
  }
}

/** The lines of a file from its start, lazily. */
async function* linesForwards(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line) yield line;
  } finally {
    lines.close();
  }
}

/** The lines of several files in order (`desc`: the last file first, each from its end). */
async function* linesOf(paths: readonly string[], desc: boolean): AsyncGenerator<string> {
  const ordered = desc ? [...paths].reverse() : paths;
  for (const path of ordered) {
    try {
      await stat(path);
    } catch {
      continue;
    }
    yield* desc ? linesBackwards(path) : linesForwards(path);
  }
}

/**
 * Reads the standard log (spec §6.3) from its files, oldest first (rotated files, then the
 * current one): entries matching every filter, `start` skipped, at most `limit`, in file order, by
 * time (`asc`), or newest first (`desc`, read from the end of the newest file, so a large log
 * answers a small query without being read whole). Reading stops as soon as the page is full; in
 * `desc` order it also stops at the first entry older than `from`.
 */
export async function readLogFile(paths: string | readonly string[], query: LogQuery): Promise<LogLine[]> {
  const files = typeof paths === "string" ? [paths] : paths;
  const wanted = query.start + query.limit;
  const found: LogLine[] = [];
  const desc = query.order === "desc";
  for await (const line of linesOf(files, desc)) {
    const entry = entryOf(line);
    if (!entry) continue;
    if (desc && query.from !== undefined && Date.parse(entry.timestamp) < query.from) break;
    // The files are written in time order by one process.
    if (!desc && query.to !== undefined && Date.parse(entry.timestamp) > query.to) break;
    if (!matches(entry, query)) continue;
    found.push(entry);
    if (found.length >= wanted) break;
  }
  const page = found.slice(query.start, wanted);
  if (query.order === "asc") page.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  return page;
}
