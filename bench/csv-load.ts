/**
 * CSV load benchmark: writes a CSV file of N rows x 10 columns, loads it with `csv_file_load`
 * into a fresh table of a running server (harper-ops or HarperDB, same request), polls `get_job`
 * until the job ends, and prints rows/s and the server's peak anonymous RSS (RssAnon, sampled from
 * /proc/<pid>/status while the job runs). The server must be able to read the file (same machine).
 *
 *   node dist/bench/csv-load.js --url http://127.0.0.1:9925 --server-pid PID [--rows 1000000] [--user admin --pass password]
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { performance } from "node:perf_hooks";

/** Options of one run. */
export interface CsvBenchOptions {
  url: string;
  rows: number;
  serverPid?: number;
  user?: string;
  pass?: string;
}

/** What one run measured. */
export interface CsvBenchResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssAnonMiB?: number;
  message: string;
}

/** Writes the CSV file (10 columns: ints, floats, strings, booleans, a date) and answers its path. */
async function writeCsv(dir: string, rows: number): Promise<string> {
  const path = join(dir, "bench.csv");
  const out = createWriteStream(path);
  out.write("id,name,group,score,active,email,city,created,visits,note\n");
  const cities = ["Oslo", "Lima", "Rome", "Kyiv", "Pune"];
  for (let id = 1; id <= rows; id++) {
    const line = `${id},name-${id},${id % 100},${((id * 7919) % 100000) / 100},${id % 2 === 0},user${id}@example.com,${cities[id % 5]},2024-01-${String((id % 28) + 1).padStart(2, "0")},${id % 1000},"note, ${id}"\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return path;
}

function rssAnonMiB(pid: number): number | undefined {
  try {
    const match = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the benchmark once against a server. */
export async function runCsvBench(options: CsvBenchOptions): Promise<CsvBenchResult> {
  const auth = `Basic ${Buffer.from(`${options.user ?? "admin"}:${options.pass ?? "password"}`).toString("base64")}`;
  const post = async (body: unknown) => {
    const res = await fetch(options.url, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown> | Array<Record<string, unknown>>;
  };
  const dir = mkdtempSync(join(tmpdir(), "harper-csv-bench-"));
  try {
    const path = await writeCsv(dir, options.rows);
    await post({ operation: "drop_database", database: "csvbench" });
    await post({ operation: "create_database", database: "csvbench" });
    await post({ operation: "create_table", database: "csvbench", table: "t", primary_key: "id" });
    let peak: number | undefined;
    const sampler = setInterval(() => {
      const now = options.serverPid ? rssAnonMiB(options.serverPid) : undefined;
      if (now !== undefined) peak = Math.max(peak ?? 0, now);
    }, 200);
    const started = performance.now();
    const answer = (await post({ operation: "csv_file_load", database: "csvbench", table: "t", file_path: path })) as Record<string, unknown>;
    const id = answer["job_id"];
    if (typeof id !== "string") throw new Error(`csv_file_load answered ${JSON.stringify(answer)}`);
    let job: Record<string, unknown> = {};
    for (;;) {
      [job] = (await post({ operation: "get_job", id })) as Array<Record<string, unknown>>;
      if (job!["status"] === "COMPLETE" || job!["status"] === "ERROR") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await post({ operation: "drop_database", database: "csvbench" });
    return { rows: options.rows, seconds, rowsPerSecond: Math.round(options.rows / seconds), peakRssAnonMiB: peak && Math.round(peak), message: String(job!["message"]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("csv-load.js")) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const result = await runCsvBench({
    url: arg("url") ?? "http://127.0.0.1:9925",
    rows: Number(arg("rows") ?? 1_000_000),
    serverPid: arg("server-pid") ? Number(arg("server-pid")) : undefined,
    user: arg("user"),
    pass: arg("pass"),
  });
  console.log(JSON.stringify(result));
}
