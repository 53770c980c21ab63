/**
 * `npm run bench:hostile`: the issue-13 targets, measured against a server in its own process on
 * a fresh root (figures for the closing note, not a test):
 * - RSS growth of the server under unauthenticated traffic of many shapes (frames claiming 2 GB,
 *   brotli and gzip bombs, big Connect and JSON bodies), target at most 64 MB;
 * - user_info latency (p50/p99) from another client while 20,000 half-open HTTP/2 streams (200
 *   sessions of 100) and 200 slow HTTP/1.1 clients are held, target p99 under 100 ms;
 * - the count of 5xx / INTERNAL / UNKNOWN answers to all of it, target 0.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { brotliCompressSync, gzipSync } from "node:zlib";

const root = mkdtempSync(join(tmpdir(), "harper-hostile-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const origin = `http://127.0.0.1:${port}`;
const admin = `Basic ${Buffer.from("admin:password").toString("base64")}`;
let fiveHundreds = 0;

// HOSTILE_SERVER_ARGS: node flags for the server (e.g. "--max-semi-space-size=4"), to tell live memory from garbage.
const serverArgs = (process.env["HOSTILE_SERVER_ARGS"] ?? "").split(" ").filter(Boolean);
const child = spawn(process.execPath, [...serverArgs, new URL("../src/cli.js", import.meta.url).pathname, "start"], {
  env: { ...process.env, ROOTPATH: root, HDB_ADMIN_USERNAME: "admin", HDB_ADMIN_PASSWORD: "password", OPERATIONSAPI_NETWORK_PORT: String(port), LOGGING_STDSTREAMS: "false" },
  stdio: "ignore",
});

const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const frame = (payload: Buffer, declared = payload.length, compressed = false) => {
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(declared, 1);
  return Buffer.concat([head, payload]);
};

async function probe(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${origin}/`, { method: "POST", headers: { "content-type": "application/json", authorization: admin }, body: '{"operation":"user_info"}' });
  await res.arrayBuffer();
  if (res.status >= 500) fiveHundreds++;
  return performance.now() - started;
}

/** One unauthenticated HTTP/2 request; counts 5xx and grpc-status 2 (UNKNOWN) or 13 (INTERNAL). */
function h2(session: http2.ClientHttp2Session, path: string, headers: http2.OutgoingHttpHeaders, body: Buffer, end = true): Promise<void> {
  return new Promise((resolve) => {
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    const judge = (h: http2.IncomingHttpHeaders) => {
      if (Number(h[":status"]) >= 500 || ["2", "13"].includes(String(h["grpc-status"]))) fiveHundreds++;
    };
    stream.on("response", judge).on("trailers", judge).on("error", () => undefined).on("close", () => resolve());
    stream.on("data", () => undefined);
    stream.write(body);
    if (end) stream.end();
  });
}

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await probe();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("the server did not start");
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

try {
  await waitForServer();
  process.stderr.write("server up\n");
  for (let i = 0; i < 50; i++) await probe();
  const rssStart = rssMiB();
  let rssPeak = rssStart;
  const sample = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB())), 50);

  // Unauthenticated traffic of many shapes.
  const brotliBomb = brotliCompressSync(Buffer.alloc(256 * 1024 * 1024));
  const gzipBomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
  const claim = frame(Buffer.alloc(1024 * 1024), 0x7fffffff);
  for (let round = 0; round < 5; round++) {
    const session = http2.connect(origin);
    session.on("error", () => undefined);
    const grpc = { "content-type": "application/grpc", te: "trailers" };
    await Promise.all([
      h2(session, "/harper.v1.UserService/UserInfo", { ...grpc, "grpc-encoding": "br" }, frame(brotliBomb, brotliBomb.length, true)),
      h2(session, "/harper.v1.NoSqlService/Insert", { ...grpc, "grpc-encoding": "gzip" }, frame(gzipBomb, gzipBomb.length, true)),
      h2(session, "/harper.v1.UserService/UserInfo", grpc, claim),
      h2(session, "/harper.v1.UserService/UserInfo", { "content-type": "application/grpc-web+proto" }, claim),
      h2(session, "/harper.v1.NoSqlService/Insert", { "content-type": "application/json" }, Buffer.alloc(8 * 1024 * 1024, 0x20)),
      h2(session, "/", { "content-type": "application/json" }, Buffer.alloc(8 * 1024 * 1024, 0x20)),
    ]);
    session.destroy();
  }
  const rssAfterUnauthenticated = rssPeak;
  process.stderr.write("unauthenticated traffic done\n");

  // 20,000 half-open streams and 200 slow clients, held while another client probes.
  const sessions: http2.ClientHttp2Session[] = [];
  let opened = 0;
  for (let s = 0; s < 200; s++) {
    const session = http2.connect(origin);
    session.on("error", () => undefined);
    sessions.push(session);
    for (let i = 0; i < 100; i++) {
      const stream = session.request({ ":method": "POST", ":path": "/harper.v1.UserService/UserInfo", "content-type": "application/grpc", te: "trailers" });
      stream.on("error", () => undefined);
      stream.on("data", () => undefined);
      stream.write(frame(Buffer.alloc(16), 1 << 30));
      opened++;
    }
  }
  const slow: net.Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{");
    slow.push(socket);
  }
  process.stderr.write(`${opened} streams and ${slow.length} slow clients held\n`);
  const latencies: number[] = [];
  const until = performance.now() + 10_000;
  while (performance.now() < until) latencies.push(await probe());
  clearInterval(sample);
  for (const session of sessions) session.destroy();
  for (const socket of slow) socket.destroy();

  console.log(`| measure | value | target |\n|---|---|---|`);
  console.log(`| server RSS before | ${rssStart.toFixed(0)} MiB | |`);
  console.log(`| RSS growth under unauthenticated traffic (peak) | ${(rssAfterUnauthenticated - rssStart).toFixed(1)} MiB | <= 64 MiB |`);
  console.log(`| RSS growth at the peak, half-open streams and slow clients included | ${(rssPeak - rssStart).toFixed(1)} MiB | |`);
  console.log(`| half-open HTTP/2 streams opened / slow HTTP/1.1 clients | ${opened} / ${slow.length} | 20000 / 200 |`);
  console.log(`| user_info meanwhile, p50 / p99 / max (${latencies.length} probes) | ${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)} / ${Math.max(...latencies).toFixed(1)} ms | p99 < 100 ms |`);
  console.log(`| 5xx, INTERNAL or UNKNOWN answers | ${fiveHundreds} | 0 |`);
} finally {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  rmSync(root, { recursive: true, force: true });
}
