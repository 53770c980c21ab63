import { createContextValues } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import type { Authenticator } from "../auth/authenticator.js";
import { kProtocol, kRemoteAddress } from "../auth/context.js";
import { createRequestGate } from "../auth/request-gate.js";
import { createCompatHandler } from "../compat/compat-handler.js";
import type { NodeRequest, NodeResponse } from "../compat/compat-handler.js";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import type { Logger } from "../log/logger.js";
import { failureLevel, requestThread } from "../log/request-log.js";
import { createRpcAdapter } from "./rpc-adapter.js";

/** What the request handler is made of. */
export interface AppOptions {
  /** The route table and the one dispatch path built from it. */
  dispatcher: Dispatcher;
  /** Interceptors of every call on every protocol, outermost first (logging, auth). */
  interceptors: Interceptor[];
  /** Authenticates callers from their headers, before any body is read. */
  authenticator: Authenticator;
  /** The largest request body (or message, after decompression) accepted on every protocol, bytes. */
  maxBodyBytes: number;
  /** The deepest JSON body accepted on the JSON API (operationsApi.limits.jsonDepth). */
  maxJsonDepth: number;
  /** Where requests refused before dispatch are logged. */
  logger: Logger;
  /**
   * Why the server is not ready to take traffic (`GET /ready`): none when it is. Absent: always
   * ready.
   */
  notReady?: () => string[];
}

/**
 * The one request handler of both ports: gRPC, gRPC-Web and Connect for every route, and
 * Harper's JSON API (`POST /`) as their fallback, which goes through the dispatcher to the same
 * implementations and the same interceptors. On every protocol the caller is authenticated from
 * the headers before the body is read.
 */
export function createApp(options: AppOptions): (req: NodeRequest, res: NodeResponse) => void {
  const { authenticator, logger } = options;
  const contextValues = (req: NodeRequest, protocol: string) =>
    createContextValues().set(kRemoteAddress, req.socket?.remoteAddress).set(kProtocol, protocol);
  const compat = createCompatHandler({
    dispatch: options.dispatcher.dispatch,
    maxBodyBytes: options.maxBodyBytes,
    maxJsonDepth: options.maxJsonDepth,
    // The operation is in the body, so the token kind is the operation token's; a refresh token
    // fails here and is judged by the auth interceptor once the (small) body names its operation.
    authenticate: (req) => authenticator.authenticate(headerOf(req), req.socket?.remoteAddress, ""),
    contextValues: (req) => contextValues(req, "json"),
    onRejected: ({ operation, status, message, req }) =>
      logger[req.method !== "POST" && status === 404 ? "debug" : failureLevel(status)](
        { thread: requestThread, tags: [], operation, protocol: "json", status },
        message,
      ),
  });
  return createRpcAdapter({
    routes: (router) => options.dispatcher.register(router),
    interceptors: options.interceptors,
    requestGate: createRequestGate(authenticator),
    readMaxBytes: options.maxBodyBytes,
    anonymous: (req) => headerOf(req) === null && authenticator.anonymous(req.socket?.remoteAddress),
    contextValues: (req) => contextValues(req, protocolOf(String(req.headers["content-type"] ?? ""))),
    fallback: (req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if ((req.method === "GET" || req.method === "HEAD") && (path === "/health" || path === "/ready")) {
        const reasons = path === "/ready" ? (options.notReady?.() ?? []) : [];
        logger.debug({ thread: requestThread, tags: [], path, method: req.method, status: reasons.length ? 503 : 200 }, "probe");
        probe(req, res, reasons);
      } else if (path === "/" || req.method !== "POST") {
        void compat(req, res);
      } else {
        logger.debug({ thread: requestThread, tags: [], path, method: req.method }, "unknown path");
        res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: `Cannot ${req.method} ${path}` }));
      }
    },
    onError: (error) => logger.error({ tags: [], err: error }, "an RPC handler failed"),
  });
}

/**
 * Answers a load balancer's probe without credentials and without reading a body: `GET /health`
 * (liveness: the process answers) and `GET /ready` (readiness: 503 with the reasons while it
 * should not get traffic). Harper has neither; nothing about the machine is told.
 */
function probe(req: NodeRequest, res: NodeResponse, reasons: readonly string[]): void {
  const body = reasons.length ? { status: "not ready", reasons } : { status: "ok" };
  res.writeHead(reasons.length ? 503 : 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  if (req.method === "HEAD") res.end();
  else res.end(JSON.stringify(body));
}

function headerOf(req: NodeRequest): string | null {
  const value = req.headers["authorization"];
  return typeof value === "string" ? value : null;
}

/** The RPC protocol a content type names. */
function protocolOf(contentType: string): string {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
