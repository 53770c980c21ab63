/**
 * `npm run bench`: the storage core alone (batched puts, gets, index range scans) and the server
 * over Harper JSON and over gRPC (inserts, searches and sql: by id, GROUP BY over the whole table,
 * a join of two 10k-row tables on an indexed key), printed as a table. Figures are for
 * comparing builds on one machine; `../shared/bench` compares against HarperDB.
 *
 * and a CSV load (`csv_file_load`, bench/csv-load.ts, which also runs alone against any server).
 *
 *   npm run bench [-- --records N] [-- --csv-rows N]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { fromJson } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import { NoSqlService } from "../gen/harper/v1/nosql_service_pb.js";
import { openStorage } from "../src/storage/index.js";
import { runCsvBench } from "./csv-load.js";

const args = process.argv.slice(2);
const records = Number(args[args.indexOf("--records") + 1] || 20_000) || 20_000;
const rows: Array<{ part: string; workload: string; count: number; seconds: number; unit: string }> = [];

function record(id: number) {
  return { id, name: `name-${id}`, group: id % 100, score: (id * 7919) % 1000, active: id % 2 === 0, tags: ["a", `t${id % 7}`] };
}

async function timed(part: string, workload: string, unit: string, run: () => Promise<number>) {
  const started = performance.now();
  const count = await run();
  rows.push({ part, workload, count, seconds: (performance.now() - started) / 1000, unit });
  process.stderr.write(`${part} ${workload}: ${count} ${unit}\n`);
}

async function benchStorage(dir: string) {
  const storage = openStorage({ path: join(dir, "database"), expirySweepInterval: 0 });
  const table = await storage.createTable("bench", { name: "t", primaryKey: "id" });
  await timed("storage", "write insert, batches of 100", "records", async () => {
    for (let i = 0; i < records; i += 100) {
      await table.write("insert", Array.from({ length: 100 }, (_, k) => record(i + k)), {});
    }
    return records;
  });
  await timed("storage", "get by id", "gets", async () => {
    let n = 0;
    for (let i = 0; i < records * 5; i++) if (table.get((i * 7919) % records)) n++;
    return n;
  });
  await timed("storage", "index range scan (score between, limit 100)", "scans", async () => {
    let n = 0;
    for (let i = 0; i < 2000; i++) {
      const lo = (i * 37) % 900;
      const query = {
        where: { operator: "and" as const, conditions: [{ attribute: "score", comparator: "between" as const, value: [lo, lo + 50] }] },
        limit: 100,
      };
      for (const _ of table.search(query)) void _;
      n++;
    }
    return n;
  });
  await storage.close();
}

async function benchServer(dir: string) {
  const port = 19_000 + Math.floor(Math.random() * 5000);
  const child = spawn(process.execPath, [join(import.meta.dirname, "../src/cli.js"), "start"], {
    env: {
      ...process.env,
      ROOTPATH: join(dir, "server"),
      HDB_ADMIN_USERNAME: "admin",
      HDB_ADMIN_PASSWORD: "password",
      OPERATIONSAPI_NETWORK_PORT: String(port),
      OPERATIONSAPI_NETWORK_HOST: "127.0.0.1",
      LOGGING_STDSTREAMS: "false",
      LOGGING_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("is running") && resolve());
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from("admin:password").toString("base64")}`;
  const post = async (body: unknown) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await post({ operation: "create_table", database: "bench", table: "t", primary_key: "id" });
  const parallel = async (workers: number, total: number, job: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) await job(i);
    }));
  };
  const half = Math.floor(records / 2 / 100) * 100;
  await timed("server", "JSON insert, batches of 100, 8 clients", "records", async () => {
    await parallel(8, half / 100, (b) => post({ operation: "insert", database: "bench", table: "t", records: Array.from({ length: 100 }, (_, k) => record(b * 100 + k)) }));
    return half;
  });
  const sessions = new Http2SessionManager(url);
  const grpc = createClient(NoSqlService, createGrpcTransport({ baseUrl: url, sessionManager: sessions }));
  const headers = { authorization: auth };
  await timed("server", "gRPC insert, batches of 100, 8 clients", "records", async () => {
    await parallel(8, half / 100, (b) =>
      grpc
        .insert(
          { database: "bench", table: "t", records: fromJson(ListValueSchema, Array.from({ length: 100 }, (_, k) => record(half + b * 100 + k))) },
          { headers },
        )
        .then(() => undefined),
    );
    return half;
  });
  const searches = 5000;
  await timed("server", "JSON search_by_id, 16 clients", "requests", async () => {
    await parallel(16, searches, (i) => post({ operation: "search_by_id", database: "bench", table: "t", ids: [(i * 7919) % (2 * half)], get_attributes: ["*"] }));
    return searches;
  });
  await timed("server", "gRPC search_by_id, 16 clients", "requests", async () => {
    await parallel(16, searches, (i) =>
      grpc
        .searchById({ database: "bench", table: "t", ids: fromJson(ListValueSchema, [(i * 7919) % (2 * half)]), getAttributes: fromJson(ListValueSchema, ["*"]) }, { headers })
        .then(() => undefined),
    );
    return searches;
  });
  await timed("server", "JSON search_by_value (group = g), 16 clients", "requests", async () => {
    await parallel(16, 500, (i) => post({ operation: "search_by_value", database: "bench", table: "t", attribute: "group", value: i % 100, get_attributes: ["id", "name"] }));
    return 500;
  });
  await timed("server", "JSON sql SELECT * ... WHERE id = n, 16 clients", "requests", async () => {
    await parallel(16, searches, (i) => post({ operation: "sql", sql: `SELECT * FROM bench.t WHERE id = ${(i * 7919) % (2 * half)}` }));
    return searches;
  });
  await timed("server", `JSON sql GROUP BY over ${2 * half} rows`, "queries", async () => {
    for (let i = 0; i < 5; i++) {
      const groups = (await post({ operation: "sql", sql: "SELECT `group`, COUNT(*) AS cnt FROM bench.t GROUP BY `group`" })) as unknown[];
      if (groups.length !== 100) throw new Error(`GROUP BY answered ${groups.length} groups`);
    }
    return 5;
  });
  const joinRows = 10_000;
  await post({ operation: "create_table", database: "bench", table: "a", primary_key: "id" });
  await post({ operation: "create_table", database: "bench", table: "b", primary_key: "id" });
  for (let i = 0; i < joinRows; i += 1000) {
    await post({ operation: "insert", database: "bench", table: "a", records: Array.from({ length: 1000 }, (_, k) => ({ id: i + k, name: `a${i + k}` })) });
    await post({ operation: "insert", database: "bench", table: "b", records: Array.from({ length: 1000 }, (_, k) => ({ id: i + k, a_id: (i + k) % joinRows, v: k })) });
  }
  await timed("server", `JSON sql join of two ${joinRows}-row tables on an indexed key`, "queries", async () => {
    for (let i = 0; i < 5; i++) {
      const joined = (await post({ operation: "sql", sql: "SELECT a.id, a.name, b.v FROM bench.a AS a INNER JOIN bench.b AS b ON b.a_id = a.id" })) as unknown[];
      if (joined.length !== joinRows) throw new Error(`the join answered ${joined.length} rows`);
    }
    return 5;
  });
  const csvRows = Number(args[args.indexOf("--csv-rows") + 1] || 200_000) || 200_000;
  const csv = await runCsvBench({ url, rows: csvRows, serverPid: child.pid });
  if (!csv.message.startsWith("successfully loaded")) throw new Error(`csv_file_load: ${csv.message}`);
  rows.push({ part: "server", workload: `csv_file_load of ${csvRows} rows x 10 columns (peak RssAnon ${csv.peakRssAnonMiB ?? "?"} MiB)`, count: csvRows, seconds: csv.seconds, unit: "rows" });
  sessions.abort();
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

const dir = mkdtempSync(join(tmpdir(), "harper-bench-"));
try {
  await benchStorage(dir);
  await benchServer(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n| part | workload | count | seconds | per second |\n|---|---|---|---|---|`);
for (const r of rows) {
  console.log(`| ${r.part} | ${r.workload} | ${r.count} ${r.unit} | ${r.seconds.toFixed(2)} | ${Math.round(r.count / r.seconds)} |`);
}
