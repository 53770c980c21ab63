import { createContextValues } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { kProtocol, kRemoteAddress } from "../auth/context.js";
import { createCompatHandler } from "../compat/compat-handler.js";
import type { NodeRequest, NodeResponse } from "../compat/compat-handler.js";
import type { Dispatcher } from "../dispatch/dispatcher.js";
import type { Logger } from "../log/logger.js";

/** What the request handler is made of. */
export interface AppOptions {
  /** The route table and the one dispatch path built from it. */
  dispatcher: Dispatcher;
  /** Interceptors of every call on every protocol, outermost first (logging, auth). */
  interceptors: Interceptor[];
  /** The largest request body accepted on the JSON API, bytes. */
  maxBodyBytes: number;
  /** Where requests refused before dispatch are logged. */
  logger: Logger;
}

/**
 * The one request handler of both ports: gRPC, gRPC-Web and Connect for every route through
 * connectNodeAdapter, and Harper's JSON API (`POST /`) as its fallback, which goes through the
 * dispatcher to the same implementations and the same interceptors.
 */
export function createApp(options: AppOptions): (req: NodeRequest, res: NodeResponse) => void {
  const contextValues = (req: NodeRequest, protocol: string) =>
    createContextValues().set(kRemoteAddress, req.socket?.remoteAddress).set(kProtocol, protocol);
  const compat = createCompatHandler({
    dispatch: options.dispatcher.dispatch,
    maxBodyBytes: options.maxBodyBytes,
    contextValues: (req) => contextValues(req, "json"),
    onRejected: ({ operation, status, message }) =>
      options.logger.error({ tags: [], operation, protocol: "json", status }, message),
  });
  const adapter = connectNodeAdapter({
    routes: (router) => options.dispatcher.register(router),
    interceptors: options.interceptors,
    contextValues: (req) => contextValues(req, protocolOf(String(req.headers["content-type"] ?? ""))),
    fallback: (req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/" || req.method !== "POST") {
        void compat(req, res as NodeResponse);
      } else {
        res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: `Cannot ${req.method} ${path}` }));
      }
    },
  });
  return adapter as (req: NodeRequest, res: NodeResponse) => void;
}

/** The RPC protocol a content type names. */
function protocolOf(contentType: string): string {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
