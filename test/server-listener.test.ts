import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createListener, isListenError } from "../src/server/listener.js";
import type { Listener, RequestHandler } from "../src/server/listener.js";
import { ensureCertificates } from "../src/server/certificates.js";
import type { Certificates } from "../src/server/certificates.js";

const HOST = "127.0.0.1";

/** Answers with the protocol version, method and path it saw. */
const echo: RequestHandler = (req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(`${req.httpVersion} ${req.method} ${req.url}`);
};

interface Answer {
  status: number;
  body: string;
  alpn?: string | false | null;
}

function h1Request(options: http.RequestOptions, secure?: https.RequestOptions & ConnectionOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const callback = (res: http.IncomingMessage) => {
      const alpn = (res.socket as TLSSocket).alpnProtocol;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, alpn }));
      res.on("error", reject);
    };
    const req = secure
      ? https.request({ host: HOST, agent: false, ...options, ...secure }, callback)
      : http.request({ host: HOST, agent: false, ...options }, callback);
    req.on("error", reject);
    req.end();
  });
}

async function h2Request(authority: string, path: string, options: http2.SecureClientSessionOptions = {}): Promise<Answer> {
  const session = http2.connect(authority, options);
  try {
    return await new Promise<Answer>((resolve, reject) => {
      session.on("error", reject);
      const stream = session.request({ ":path": path });
      let status = 0;
      let body = "";
      stream.setEncoding("utf8");
      stream.on("response", (headers) => (status = Number(headers[":status"])));
      stream.on("data", (chunk: string) => (body += chunk));
      stream.on("end", () => resolve({ status, body, alpn: session.alpnProtocol }));
      stream.on("error", reject);
    });
  } finally {
    session.close();
  }
}

/** A TCP proxy that forwards the first packet in two pieces, the second a little later. */
async function startSplittingProxy(targetPort: number, splitAt: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: HOST, port: targetPort, noDelay: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => (client.destroy(), upstream.destroy()));
      socket.on("close", () => (client.destroy(), upstream.destroy()));
    }
    let first = true;
    client.on("data", (chunk: Buffer) => {
      if (first && chunk.length > splitAt) {
        client.pause();
        upstream.write(chunk.subarray(0, splitAt));
        setTimeout(() => (upstream.write(chunk.subarray(splitAt)), client.resume()), 30);
      } else {
        upstream.write(chunk);
      }
      first = false;
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A handler whose /slow requests answer once released (noting "sent" in events), whose /stream
 * requests send their headers and half the body at once and the rest once released, and whose
 * /hang requests never answer; `arrived` resolves when one of them got in.
 */
function createWaitingHandler() {
  const events: string[] = [];
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler: RequestHandler = (req, res) => {
    if (req.url === "/hang") return arrive();
    if (req.url !== "/slow" && req.url !== "/stream") return echo(req, res);
    if (req.url === "/stream") (res as http.ServerResponse).writeHead(200).write("do");
    arrive();
    void released.then(() => (res.end(req.url === "/stream" ? "ne" : "done"), events.push("sent")));
  };
  return { handler, arrived, release, events };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createListener: one plain port for HTTP/1.1 and h2c", () => {
  let listener: Listener;
  before(async () => {
    listener = await createListener({ handler: echo, port: 0, host: HOST, maxHeaderSize: 4096 });
  });
  after(() => listener.close(100));

  it("reports the port it picked for port 0 and no secure port", () => {
    assert.ok(listener.port > 0);
    assert.equal(listener.securePort, null);
  });

  it("answers an HTTP/1.1 request", async () => {
    assert.deepEqual(await h1Request({ port: listener.port, path: "/one" }), { status: 200, body: "1.1 GET /one", alpn: undefined });
  });

  it("answers an HTTP/2 prior-knowledge request with the same handler", async () => {
    const answer = await h2Request(`http://${HOST}:${listener.port}`, "/two");
    assert.equal(answer.status, 200);
    assert.equal(answer.body, "2.0 GET /two");
  });

  it("serves an h2c Upgrade request as HTTP/1.1", async () => {
    const headers = { connection: "Upgrade, HTTP2-Settings", upgrade: "h2c", "http2-settings": "AAMAAABkAAQAAP__" };
    const answer = await h1Request({ port: listener.port, path: "/up", headers });
    assert.equal(answer.body, "1.1 GET /up");
  });

  it("applies maxHeaderSize to HTTP/1.1", async () => {
    const answer = await h1Request({ port: listener.port, path: "/big", headers: { "x-big": "a".repeat(8000) } });
    assert.equal(answer.status, 431);
  });

  it("accepts an HTTP/2 preface written in three pieces on a raw socket", async () => {
    const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
    const emptySettings = Buffer.from("000000040000000000", "hex");
    const socket = net.connect({ host: HOST, port: listener.port, noDelay: true });
    const firstFrame = new Promise<Buffer>((resolve) => socket.once("data", resolve));
    socket.write(preface.subarray(0, 3));
    await pause(20);
    socket.write(preface.subarray(3, 10));
    await pause(20);
    socket.write(Buffer.concat([preface.subarray(10), emptySettings]));
    const frame = await firstFrame;
    socket.destroy();
    assert.equal(frame[3], 0x04, "the server's first frame is SETTINGS");
  });

  it("still works when the first packet is split, for HTTP/2 and HTTP/1.1", async () => {
    const proxy = await startSplittingProxy(listener.port, 3);
    try {
      const h2 = await h2Request(`http://${HOST}:${proxy.port}`, "/split");
      assert.equal(h2.body, "2.0 GET /split");
      const h1 = await h1Request({ port: proxy.port, path: "/split" });
      assert.equal(h1.body, "1.1 GET /split");
    } finally {
      await proxy.close();
    }
  });
});

describe("createListener: sniffing gives up on silent connections", () => {
  it("closes a connection that sends nothing, or half a preface, within sniffTimeout", async () => {
    const listener = await createListener({ handler: echo, port: 0, host: HOST, sniffTimeout: 50 });
    try {
      for (const first of ["", "PRI * HTTP/2"]) {
        const socket = net.connect({ host: HOST, port: listener.port });
        if (first) socket.write(first);
        let received = "";
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
        await new Promise((resolve) => socket.on("close", resolve));
        assert.equal(received, "");
      }
    } finally {
      await listener.close();
    }
  });
});

describe("createListener: TLS port with ALPN", () => {
  let folder: string;
  let certs: Certificates;
  let listener: Listener;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "harper-ops-listener-"));
    certs = await ensureCertificates(folder);
    const tls = { key: certs.privateKey, cert: certs.certificate };
    listener = await createListener({ handler: echo, port: 0, host: HOST, securePort: 0, tls });
  });
  after(async () => {
    await listener.close(100);
    await rm(folder, { recursive: true, force: true });
  });

  it("reports both ports", () => {
    assert.ok(listener.securePort !== null && listener.securePort > 0);
    assert.notEqual(listener.securePort, listener.port);
  });

  it("negotiates h2 with an HTTP/2 client trusting the CA", async () => {
    const answer = await h2Request(`https://${HOST}:${listener.securePort}`, "/tls", { ca: certs.ca, servername: "localhost" });
    assert.deepEqual(answer, { status: 200, body: "2.0 GET /tls", alpn: "h2" });
  });

  it("negotiates http/1.1 with an HTTP/1.1 client trusting the CA", async () => {
    const answer = await h1Request({ port: listener.securePort ?? 0, path: "/tls" }, { ca: certs.ca, ALPNProtocols: ["http/1.1"] });
    assert.deepEqual(answer, { status: 200, body: "1.1 GET /tls", alpn: "http/1.1" });
  });

  it("serves HTTP/1.1 to a TLS client that offers no ALPN", async () => {
    const answer = await h1Request({ port: listener.securePort ?? 0, path: "/plain-tls" }, { ca: certs.ca });
    assert.equal(answer.body, "1.1 GET /plain-tls");
  });

  it("keeps serving the plain port next to it", async () => {
    assert.equal((await h1Request({ port: listener.port, path: "/" })).body, "1.1 GET /");
  });
});

describe("Listener.close", () => {
  for (const path of ["/slow", "/stream"]) {
    it(`waits for an in-flight HTTP/1.1 request (${path}), refusing new connections meanwhile`, async () => {
      const { handler, arrived, release, events } = createWaitingHandler();
      const listener = await createListener({ handler, port: 0, host: HOST });
      const answer = h1Request({ port: listener.port, path });
      await arrived;
      const closed = listener.close().then(() => events.push("closed"));
      await pause(50); // would be long enough for a close that does not wait
      assert.deepEqual(events, []);
      await assert.rejects(h1Request({ port: listener.port, path: "/" }), { code: "ECONNREFUSED" });
      release();
      assert.deepEqual(await answer, { status: 200, body: "done", alpn: undefined });
      await closed;
      assert.deepEqual(events, ["sent", "closed"]);
    });
  }

  it("waits for an in-flight HTTP/2 request", async () => {
    const { handler, arrived, release, events } = createWaitingHandler();
    const listener = await createListener({ handler, port: 0, host: HOST });
    const answer = h2Request(`http://${HOST}:${listener.port}`, "/slow");
    await arrived;
    const closed = listener.close().then(() => events.push("closed"));
    await pause(50);
    assert.deepEqual(events, []);
    release();
    assert.equal((await answer).body, "done");
    await closed;
    assert.deepEqual(events, ["sent", "closed"]);
  });

  it("resolves at once without connections, and closes idle keep-alive connections", async () => {
    const listener = await createListener({ handler: echo, port: 0, host: HOST });
    const agent = new http.Agent({ keepAlive: true });
    await h1Request({ port: listener.port, path: "/", agent });
    const session = http2.connect(`http://${HOST}:${listener.port}`);
    await new Promise((resolve) => session.on("connect", resolve));
    await listener.close();
    await new Promise((resolve) => (session.closed ? resolve(undefined) : session.on("close", resolve)));
    agent.destroy();
  });

  it("waits for in-flight HTTP/2 and HTTP/1.1 requests on the TLS port", async () => {
    const folder = await mkdtemp(join(tmpdir(), "harper-ops-listener-"));
    try {
      const certs = await ensureCertificates(folder);
      const { handler, release, events } = createWaitingHandler();
      let arrivals = 0;
      let bothArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (bothArrived = resolve));
      const counting: RequestHandler = (req, res) => {
        handler(req, res);
        if (++arrivals === 2) bothArrived();
      };
      const tls = { key: certs.privateKey, cert: certs.certificate };
      const listener = await createListener({ handler: counting, port: 0, host: HOST, securePort: 0, tls });
      const h2 = h2Request(`https://${HOST}:${listener.securePort}`, "/slow", { ca: certs.ca });
      const h1 = h1Request({ port: listener.securePort ?? 0, path: "/slow" }, { ca: certs.ca, ALPNProtocols: ["http/1.1"] });
      await arrived;
      const closed = listener.close().then(() => events.push("closed"));
      await pause(50);
      assert.deepEqual(events, []);
      release();
      assert.deepEqual(await h2, { status: 200, body: "done", alpn: "h2" });
      assert.deepEqual(await h1, { status: 200, body: "done", alpn: "http/1.1" });
      await closed;
      assert.deepEqual(events, ["sent", "sent", "closed"]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("destroys requests still running after the grace period", async () => {
    const { handler, arrived } = createWaitingHandler();
    const listener = await createListener({ handler, port: 0, host: HOST });
    const answer = h1Request({ port: listener.port, path: "/hang" });
    await arrived;
    await listener.close(20);
    await assert.rejects(answer, { code: "ECONNRESET" });
  });
});

describe("createListener: ports that cannot be used", () => {
  let blocker: net.Server;
  let taken: number;
  before(async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, HOST, resolve));
    taken = (blocker.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it("rejects a plain port in use with a message naming it", async () => {
    await assert.rejects(createListener({ handler: echo, port: taken, host: HOST }), (error: unknown) => {
      assert.ok(isListenError(error));
      assert.equal(error.message, `port ${taken} is already in use on ${HOST}`);
      assert.equal(error.port, taken);
      assert.equal(error.code, "EADDRINUSE");
      return true;
    });
  });

  it("rejects a secure port in use and frees the plain port it had bound", async () => {
    const folder = await mkdtemp(join(tmpdir(), "harper-ops-listener-"));
    try {
      const certs = await ensureCertificates(folder);
      const free = net.createServer();
      await new Promise<void>((resolve) => free.listen(0, HOST, resolve));
      const port = (free.address() as net.AddressInfo).port;
      await new Promise((resolve) => free.close(resolve));
      const tls = { key: certs.privateKey, cert: certs.certificate };
      await assert.rejects(createListener({ handler: echo, port, host: HOST, securePort: taken, tls }), {
        name: "ListenError",
        message: `port ${taken} is already in use on ${HOST}`,
      });
      const again = await createListener({ handler: echo, port, host: HOST });
      await again.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("rejects bad options with clear messages", async () => {
    await assert.rejects(createListener({ handler: echo, port: 70000 }), {
      message: "port must be an integer from 0 to 65535, got 70000",
    });
    await assert.rejects(createListener({ handler: echo, port: 0, securePort: 0 }), {
      message: "securePort 0 needs a TLS key and certificate",
    });
    await assert.rejects(createListener({ handler: echo, port: 0, securePort: 0, tls: { key: "nope", cert: "nope" } }), {
      message: /^invalid TLS key or certificate: /,
    });
  });
});
