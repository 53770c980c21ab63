import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import type { ConnectRouter, ContextValues, HandlerContext, Interceptor } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { Role } from "../../gen/harper/v1/options_pb.js";
import { closeUnreadOnFinish } from "../compat/close-unread.js";
import { operationOf } from "../contract/index.js";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";

type NodeRequest = IncomingMessage | Http2ServerRequest;
type NodeResponse = ServerResponse | Http2ServerResponse;

/** What the RPC adapter serves and how. */
export interface RpcAdapterOptions {
  /** Registers every RPC on the router. */
  routes(router: ConnectRouter): void;
  interceptors: Interceptor[];
  /** Runs on the headers of every call, before the body is read (authentication). */
  requestGate(context: HandlerContext): Promise<void>;
  /** The largest message accepted, bytes: checked on the declared frame length and after decompression. */
  readMaxBytes: number;
  contextValues(req: NodeRequest): ContextValues;
  /** Serves every path that is not an RPC (Harper's JSON API). */
  fallback(req: NodeRequest, res: NodeResponse): void;
  /**
   * Whether a request has no identity at all (no credentials, not a trusted local caller): such a
   * call of an operation that needs one is refused here, below connect's per-call machinery, so a
   * flood of them costs the server as little as possible. The gate judges every other request.
   */
  anonymous(req: NodeRequest): boolean;
  /** Told of a handler that failed outside the protocol's own error handling (a bug). */
  onError(error: unknown): void;
}

/**
 * gRPC, gRPC-Web and Connect for every registered RPC, as connectNodeAdapter serves them, with
 * the edge rules of harper-ops: the request gate authenticates before any body byte is read;
 * messages are limited by `readMaxBytes` (on the declared frame length before reading, and on
 * the bytes after decompression); a message that cannot be decoded is the client's mistake
 * (INVALID_ARGUMENT), where connect answers INTERNAL; and a response sent before its request was
 * read to the end closes that request's stream or connection, so nothing more of it is read.
 */
export function createRpcAdapter(options: RpcAdapterOptions): (req: NodeRequest, res: NodeResponse) => void {
  const router = createConnectRouter({
    interceptors: options.interceptors,
    readMaxBytes: options.readMaxBytes,
    requestGate: options.requestGate,
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  options.routes(router);
  const paths = new Map<string, UniversalHandler>();
  for (const handler of router.handlers) paths.set(handler.requestPath, handler);

  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 1)[0] ?? "");
    if (!handler) return options.fallback(req, res);
    closeUnreadOnFinish(req, res);
    if (operationOf(handler.method).role !== Role.NONE && options.anonymous(req)) return refuseAnonymous(req, res);
    if (req.method === "GET" && badBase64Query(req.url ?? "")) {
      // connect fails on this with a bare INTERNAL "internal error".
      const body = JSON.stringify({ code: "invalid_argument", message: "the message query parameter is not valid base64" });
      res.writeHead(400, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, options.contextValues(req));
    handler(uReq)
      .then(async (uRes) => universalResponseToNodeResponse(await decodeErrorsAsInvalid(uRes), res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code !== Code.Aborted) options.onError(reason);
      });
  };
}

/** UNAUTHENTICATED "Must login" in the shape of the request's protocol, without reading its body. */
function refuseAnonymous(req: NodeRequest, res: NodeResponse): void {
  const type = String(req.headers["content-type"] ?? "");
  if (type.startsWith("application/grpc-web")) {
    // gRPC-Web: the status in a trailer frame (flag 0x80), the only body.
    const trailer = Buffer.from(`grpc-status: ${Code.Unauthenticated}\r\ngrpc-message: Must%20login\r\n`, "latin1");
    const frame = Buffer.alloc(5 + trailer.length);
    frame[0] = 0x80;
    frame.writeUInt32BE(trailer.length, 1);
    trailer.copy(frame, 5);
    res.writeHead(200, { "content-type": type.split(";")[0]!, "content-length": frame.length });
    res.end(frame);
    return;
  }
  if (type.startsWith("application/grpc")) {
    // gRPC: a trailers-only answer, the status in the headers.
    res.writeHead(200, { "content-type": "application/grpc", "grpc-status": String(Code.Unauthenticated), "grpc-message": "Must%20login" });
    res.end();
    return;
  }
  const body = JSON.stringify({ code: "unauthenticated", message: "Must login" });
  res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A Connect GET whose `message` is declared base64 (`base64=1`) but is not. */
function badBase64Query(url: string): boolean {
  const query = new URL(url, "http://localhost").searchParams;
  return query.get("base64") === "1" && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(query.get("message") ?? "");
}

/** connect reports a message that does not decode as INTERNAL ("parse binary: ..."). */
const undecodable = /^(parse binary|cannot decode|premature EOF|invalid (wire type|base64)|illegal)/i;

/**
 * Rewrites an INTERNAL answer to a body that could not be decoded into INVALID_ARGUMENT, in the
 * shape of each protocol: the Connect error body and status, and the gRPC and gRPC-Web status.
 */
async function decodeErrorsAsInvalid(uRes: UniversalServerResponse): Promise<UniversalServerResponse> {
  const body = uRes.body;
  if (!body) return uRes;
  if (uRes.status === 500) return rewriteConnectError(uRes, body);
  return {
    ...uRes,
    body: (async function* () {
      for await (const chunk of body) yield rewriteGrpcWebTrailer(chunk);
      if (uRes.trailer) rewriteGrpcStatus(uRes.trailer);
    })(),
  };
}

/** A Connect error body `{"code":"internal","message":"parse binary: ..."}`, answered 400 invalid_argument. */
async function rewriteConnectError(uRes: UniversalServerResponse, body: AsyncIterable<Uint8Array>): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const replay = (data: Uint8Array) => (async function* () {
    yield data;
  })();
  try {
    const error = JSON.parse(bytes.toString("utf8")) as { code?: string; message?: string };
    if (error.code === "internal" && undecodable.test(error.message ?? "")) {
      const rewritten = Buffer.from(JSON.stringify({ code: "invalid_argument", message: error.message }));
      const header = new Headers(uRes.header);
      header.set("content-length", String(rewritten.length));
      return { ...uRes, status: 400, header, body: replay(rewritten) };
    }
  } catch {
    // not a Connect error body: pass it on as it is
  }
  return { ...uRes, body: replay(bytes) };
}

function rewriteGrpcStatus(trailer: Headers): void {
  const message = decodeURIComponent(trailer.get("grpc-message") ?? "");
  if (trailer.get("grpc-status") === String(Code.Internal) && undecodable.test(message)) {
    trailer.set("grpc-status", String(Code.InvalidArgument));
  }
}

/** A gRPC-Web trailer frame (flag 0x80) that carries INTERNAL for an undecodable message. */
function rewriteGrpcWebTrailer(chunk: Uint8Array): Uint8Array {
  if (chunk.length < 5 || chunk[0] !== 0x80) return chunk;
  const text = Buffer.from(chunk.subarray(5)).toString("latin1");
  const message = /grpc-message: ?([^\r\n]*)/.exec(text)?.[1] ?? "";
  if (!/grpc-status: ?13\r?\n/.test(text) || !undecodable.test(decodeURIComponent(message))) return chunk;
  const rewritten = Buffer.from(text.replace(/grpc-status: ?13/, `grpc-status: ${Code.InvalidArgument}`), "latin1");
  const frame = Buffer.alloc(5 + rewritten.length);
  frame[0] = 0x80;
  frame.writeUInt32BE(rewritten.length, 1);
  rewritten.copy(frame, 5);
  return frame;
}
