import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { TLSSocket } from "node:tls";

/** One request handler for every protocol: HTTP/1.1, cleartext HTTP/2 and both over TLS. */
export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** Where and how {@link createListener} listens. */
export interface ListenerOptions {
  /** Receives every request, whatever the protocol. */
  handler: RequestHandler;
  /** The plain port (HTTP/1.1 and HTTP/2 with prior knowledge); 0 picks a free port. */
  port: number;
  /** The address to bind both ports to; all interfaces when omitted. */
  host?: string;
  /** The TLS port (ALPN h2 and http/1.1); 0 picks a free port; null or omitted: no TLS port. */
  securePort?: number | null;
  /** Key and certificate (PEM) of the TLS port; required when securePort is set. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /** Largest request header block in bytes (HTTP/1.1 limit, HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE). */
  maxHeaderSize?: number;
  /** How long an idle HTTP/1.1 keep-alive connection stays open, in ms (Node's default: 5000). */
  keepAliveTimeout?: number;
  /**
   * How long a connection (HTTP/1.1 socket, HTTP/2 session) or an HTTP/2 stream may stay
   * inactive, in ms (`operationsApi.network.timeout`); 0 or omitted: no limit.
   */
  timeout?: number;
  /** How long an HTTP/1.1 client may take to send the request headers, in ms (`headersTimeout`). */
  headersTimeout?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection (`operationsApi.limits.http2MaxStreams`). */
  maxConcurrentStreams?: number;
  /** Megabytes one HTTP/2 connection may buffer (`operationsApi.limits.http2SessionMemory`). */
  maxSessionMemory?: number;
  /** How long a new plain connection may take to send its first bytes, in ms (default 10000). */
  sniffTimeout?: number;
  /** Receives server errors after listening (e.g. accept failing with EMFILE); ignored otherwise. */
  onError?: (error: Error) => void;
}

/** A running listener: the ports actually bound and a graceful close. */
export interface Listener {
  /** The plain port actually bound. */
  readonly port: number;
  /** The TLS port actually bound, or null without TLS. */
  readonly securePort: number | null;
  /**
   * Stops accepting connections, lets in-flight requests finish, destroys what is left after
   * graceMs (default 5000) and resolves when every connection is closed. Calling it again returns
   * the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

/** A port that cannot be listened on (already in use, not permitted, bad address). */
export class ListenError extends Error {
  override name = "ListenError";
  constructor(
    message: string,
    /** The port asked for. */
    readonly port: number,
    /** The system error code, e.g. EADDRINUSE, when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Type guard for ListenError that checks the name, not the prototype. */
export function isListenError(error: unknown): error is ListenError {
  return error instanceof Error && error.name === "ListenError";
}

/** The client connection preface of HTTP/2 (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const DEFAULT_GRACE_MS = 5000;
const DEFAULT_SNIFF_TIMEOUT_MS = 10_000;

/**
 * Listens on the plain port (and the TLS port when asked) and serves every request with the one
 * handler. Node's cleartext HTTP/2 server cannot take HTTP/1.1, so the plain port is a net.Server
 * that reads the first bytes of each connection: the HTTP/2 preface hands the socket to an
 * http2.Server, anything else to an http.Server (an h2c Upgrade request is served as HTTP/1.1).
 * Rejects with a ListenError naming the port when a port cannot be bound.
 */
export async function createListener(options: ListenerOptions): Promise<Listener> {
  const { handler, port, host, securePort = null, tls } = options;
  checkPort("port", port);
  if (securePort !== null) {
    checkPort("securePort", securePort);
    if (!tls) throw new ListenError(`securePort ${securePort} needs a TLS key and certificate`, securePort);
  }
  const onError = options.onError ?? (() => undefined);
  const sniffTimeout = options.sniffTimeout ?? DEFAULT_SNIFF_TIMEOUT_MS;
  const settings: http2.Settings = {
    ...(options.maxHeaderSize ? { maxHeaderListSize: options.maxHeaderSize } : {}),
    ...(options.maxConcurrentStreams ? { maxConcurrentStreams: options.maxConcurrentStreams } : {}),
  };
  const h2Options = { settings, ...(options.maxSessionMemory ? { maxSessionMemory: options.maxSessionMemory } : {}) };
  const tracker = createTracker();
  const timeout = options.timeout ?? 0;

  const h1 = http.createServer({
    ...(options.maxHeaderSize ? { maxHeaderSize: options.maxHeaderSize } : {}),
    ...(options.headersTimeout ? { headersTimeout: options.headersTimeout } : {}),
  });
  const h2 = http2.createServer(h2Options);
  h1.on("request", tracker.onRequest).on("request", handler);
  h2.on("request", handler).on("session", tracker.onSession);
  if (options.keepAliveTimeout !== undefined) h1.keepAliveTimeout = options.keepAliveTimeout;
  if (timeout > 0) {
    h1.timeout = timeout;
    limitIdleHttp2(h2, timeout);
  }

  const plain = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    tracker.addSocket(socket);
    sniff(socket, sniffTimeout, tracker, (isH2) => {
      // Each protocol gets the socket as its own server would have set it up.
      socket.allowHalfOpen = !isH2;
      if (!isH2) tracker.addH1Socket(socket);
      (isH2 ? h2 : h1).emit("connection", socket);
    });
  });

  let secure: http2.Http2SecureServer | null = null;
  if (securePort !== null && tls) {
    try {
      secure = http2.createSecureServer({ ...tls, ...h2Options, allowHTTP1: true, ALPNProtocols: ["h2", "http/1.1"] });
    } catch (error) {
      throw new ListenError(`invalid TLS key or certificate: ${(error as Error).message}`, securePort);
    }
    // The HTTP/1.1 fallback reads these from the server object, like http.Server does.
    const fallback = secure as unknown as { maxHeaderSize?: number; keepAliveTimeout: number };
    if (options.maxHeaderSize) fallback.maxHeaderSize = options.maxHeaderSize;
    fallback.keepAliveTimeout = options.keepAliveTimeout ?? h1.keepAliveTimeout;
    if (timeout > 0) limitIdleHttp2(secure, timeout);
    secure.on("request", tracker.onRequest).on("request", handler).on("session", tracker.onSession);
    secure.on("connection", tracker.addSocket).on("secureConnection", (socket: TLSSocket) => {
      tracker.addSocket(socket);
      if (socket.alpnProtocol !== "h2") tracker.addH1Socket(socket);
    });
  }

  const boundPort = await listen(plain, port, host);
  let boundSecurePort: number | null = null;
  if (secure) {
    try {
      boundSecurePort = await listen(secure, securePort as number, host);
    } catch (error) {
      await new Promise((resolve) => plain.close(resolve));
      throw error;
    }
    secure.on("error", onError);
  }
  plain.on("error", onError);
  // http.Server enforces headersTimeout/requestTimeout only once 'listening' has set up its
  // connection tracking; h1 never listens itself, so start that tracking here.
  h1.emit("listening");

  let closing: Promise<void> | null = null;
  return {
    port: boundPort,
    securePort: boundSecurePort,
    close(graceMs = DEFAULT_GRACE_MS) {
      closing ??= (async () => {
        const closed = Promise.all([closeServer(plain), secure ? closeServer(secure) : undefined]);
        h1.close();
        tracker.drain();
        const timer = setTimeout(tracker.destroyAll, Math.max(0, graceMs));
        timer.unref();
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/**
 * Idle limits of an HTTP/2 server: a session with no activity for `timeout` ms is closed, and so
 * is a stream (a request whose body stalls half-way, a response nobody reads), so that held-open
 * streams and connections do not pile up. Node applies a server's timeout to HTTP/1.1 sockets
 * only.
 */
function limitIdleHttp2(server: http2.Http2Server | http2.Http2SecureServer, timeout: number): void {
  // Without a 'timeout' listener, Node destroys a session idle for this long.
  server.setTimeout(timeout);
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    stream.setTimeout(timeout, () => stream.close(http2.constants.NGHTTP2_CANCEL));
  });
}

/**
 * Reads the first bytes of a plain connection until it can tell HTTP/2 (the full 24-byte preface,
 * which may arrive split across packets) from anything else, puts them back and calls decide in
 * the same tick, so the chosen server reads them before any later data.
 */
function sniff(socket: net.Socket, timeout: number, tracker: Tracker, decide: (isH2: boolean) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const cleanup = () => {
    socket.off("readable", onReadable);
    socket.off("timeout", onGiveUp);
    socket.off("end", onGiveUp);
    socket.off("error", onGiveUp);
    socket.setTimeout(0);
    tracker.sniffing.delete(socket);
  };
  const onGiveUp = () => {
    cleanup();
    socket.destroy();
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    }
    if (!buffered.length) return;
    const n = Math.min(buffered.length, H2_PREFACE.length);
    const isH2 = buffered.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && buffered.length < H2_PREFACE.length) return;
    cleanup();
    if (tracker.closing) {
      socket.destroy();
      return;
    }
    socket.unshift(buffered);
    decide(isH2);
  };
  tracker.sniffing.add(socket);
  socket.setTimeout(timeout);
  socket.on("timeout", onGiveUp);
  socket.on("end", onGiveUp);
  socket.on("error", onGiveUp);
  socket.on("readable", onReadable);
}

type Tracker = ReturnType<typeof createTracker>;

/** What the listener must know to close gracefully: connections, HTTP/1.1 requests, HTTP/2 sessions. */
function createTracker() {
  const sockets = new Set<net.Socket>();
  const sniffing = new Set<net.Socket>();
  const h1Requests = new Map<net.Socket, number>();
  const inFlight = new Set<http.ServerResponse>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const tracker = {
    closing: false,
    sniffing,
    addSocket(socket: net.Socket) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    },
    addH1Socket(socket: net.Socket) {
      h1Requests.set(socket, 0);
      socket.once("close", () => h1Requests.delete(socket));
    },
    onRequest(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) {
      if (req.httpVersionMajor >= 2) return;
      const socket = req.socket;
      const response = res as http.ServerResponse;
      h1Requests.set(socket, (h1Requests.get(socket) ?? 0) + 1);
      inFlight.add(response);
      if (tracker.closing) response.setHeader("connection", "close");
      response.once("close", () => {
        inFlight.delete(response);
        const left = (h1Requests.get(socket) ?? 1) - 1;
        if (!socket.destroyed) h1Requests.set(socket, left);
        if (tracker.closing && left === 0) socket.end();
      });
    },
    onSession(session: http2.ServerHttp2Session) {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
      if (tracker.closing) session.close();
    },
    /** Starts closing: idle connections go now, busy ones after their last response. */
    drain() {
      tracker.closing = true;
      for (const socket of sniffing) socket.destroy();
      for (const [socket, requests] of h1Requests) if (requests === 0) socket.destroy();
      for (const response of inFlight) if (!response.headersSent) response.setHeader("connection", "close");
      for (const session of sessions) session.close();
    },
    /** The end of the grace period: everything still open is destroyed. */
    destroyAll() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
  return tracker;
}

function listen(server: net.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(error, port, host));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(host === undefined ? { port } : { port, host });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string | undefined): ListenError {
  const on = host === undefined ? "" : ` on ${host}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new ListenError(`port ${port} is already in use${on}`, port, error.code);
    case "EACCES":
      return new ListenError(`no permission to listen on port ${port}${on}`, port, error.code);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new ListenError(`cannot listen on port ${port}${on}: address not available`, port, error.code);
    default:
      return new ListenError(`cannot listen on port ${port}${on}: ${error.message}`, port, error.code);
  }
}

function checkPort(name: string, port: number): void {
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return;
  throw new ListenError(`${name} must be an integer from 0 to 65535, got ${String(port)}`, port);
}
