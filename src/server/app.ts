import type { DescService } from "@bufbuild/protobuf";
import { createContextValues } from "@connectrpc/connect";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { kProtocol, kRemoteAddress } from "../auth/context.js";
import { createCompatHandler } from "../compat/compat-handler.js";
import type { NodeRequest, NodeResponse, UnaryHandler } from "../compat/compat-handler.js";
import type { OperationTable } from "../contract/index.js";
import type { Logger } from "../log/logger.js";
import { createUnimplementedService } from "../services/unimplemented.js";
import type { LooseServiceImpl } from "../services/unimplemented.js";

/** What the request handler is made of. */
export interface AppOptions {
  /** Every service of the contract (gen/harper/v1/services_pb.ts). */
  services: readonly DescService[];
  /** The dispatch table built from them. */
  table: OperationTable;
  /** The built operations, by service type name; every other RPC answers "not implemented yet". */
  implementations: Readonly<Record<string, object>>;
  /** Interceptors of every call on every protocol, outermost first (logging, auth). */
  interceptors: Interceptor[];
  /** The largest request body accepted on the JSON API, bytes. */
  maxBodyBytes: number;
  /** Where requests refused before dispatch are logged. */
  logger: Logger;
}

/**
 * The one request handler of both ports: gRPC, gRPC-Web and Connect for every service through
 * connectNodeAdapter, and Harper's JSON API (`POST /`) as its fallback, both calling the same
 * implementations through the same interceptors.
 */
export function createApp(options: AppOptions): (req: NodeRequest, res: NodeResponse) => void {
  const merged = new Map<DescService, LooseServiceImpl>();
  for (const service of options.services) {
    merged.set(service, {
      ...createUnimplementedService(service, options.table),
      ...(options.implementations[service.typeName] as LooseServiceImpl | undefined),
    });
  }
  const contextValues = (req: NodeRequest, protocol: string) =>
    createContextValues().set(kRemoteAddress, req.socket?.remoteAddress).set(kProtocol, protocol);
  const compat = createCompatHandler({
    table: options.table,
    handlerOf: (service, method) => merged.get(service)![method.localName] as unknown as UnaryHandler,
    interceptors: options.interceptors,
    maxBodyBytes: options.maxBodyBytes,
    contextValues: (req) => contextValues(req, "json"),
    onRejected: ({ operation, status, message }) =>
      options.logger.error({ tags: [], operation, protocol: "json", status }, message),
  });
  const routes = (router: ConnectRouter) => {
    for (const [service, impl] of merged) router.service(service, impl as never);
  };
  const adapter = connectNodeAdapter({
    routes,
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
