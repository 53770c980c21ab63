import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { create } from "@bufbuild/protobuf";
import type { DescMessage, DescMethod, DescService, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { ContextValues, HandlerContext, Interceptor, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { isBodyError, kJsonKeys, requestFromHarperJson, responseToHarperJson } from "../contract/index.js";
import type { OperationTable } from "../contract/index.js";
import { badRequest, errorAnswer, harperAnswerOf, jsonSyntaxMessage } from "./errors.js";
import type { HarperAnswer } from "./errors.js";

/** A request or response of either HTTP version. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** An RPC implementation as the router holds it: request message and context in, response out. */
export type UnaryHandler = (request: unknown, context: HandlerContext) => unknown;

/** What the JSON adapter needs. */
export interface CompatOptions {
  /** The dispatch table built from proto/. */
  table: OperationTable;
  /** The implementation of an RPC (the same object the Connect router serves). */
  handlerOf(service: DescService, method: DescMethod): UnaryHandler;
  /** The same interceptors the Connect router runs, outermost first. */
  interceptors: readonly Interceptor[];
  /** Bodies larger than this are refused with 413. */
  maxBodyBytes: number;
  /** Context values of a request (the client's address and the like). */
  contextValues?(req: NodeRequest): ContextValues;
  /**
   * Told of every request refused before it reached the interceptors (malformed body, unknown
   * operation, bad field type), for logging; the interceptors log everything else.
   */
  onRejected?(info: { operation: string | undefined; status: number; message: string; req: NodeRequest }): void;
}

const noOperation = "Request body must include an 'operation' property.";
const neverAborted = new AbortController().signal;

/**
 * Harper's JSON API on `POST /`: `{"operation": ...}` bodies are translated into the RPC the
 * dispatch table names and run through the same interceptors and the same implementation as
 * gRPC and Connect calls; the response message is written back in Harper's JSON shape and errors
 * in Harper's envelopes. The adapter translates only: it holds no business logic.
 */
export function createCompatHandler(options: CompatOptions): (req: NodeRequest, res: NodeResponse) => Promise<void> {
  return async (req, res) => {
    let operation: string | undefined;
    let answer: HarperAnswer | undefined;
    try {
      const parsed = await readBody(req, options.maxBodyBytes);
      if ("answer" in parsed) {
        answer = parsed.answer;
      } else {
        const body = parsed.body;
        operation = typeof body["operation"] === "string" ? body["operation"] : undefined;
        const outcome = await dispatch(options, req, body);
        if ("rejected" in outcome) answer = outcome.rejected;
        else return write(res, outcome.answer);
      }
    } catch (error) {
      return write(res, harperAnswerOf(error));
    }
    const body = answer.body as JsonObject;
    const message = String(body["error"] ?? body["message"] ?? "");
    options.onRejected?.({ operation, status: answer.status, message, req });
    write(res, answer);
  };
}

/** Runs the operation: `rejected` when it never reached the interceptors, else the answer. */
async function dispatch(
  options: CompatOptions,
  req: NodeRequest,
  body: JsonObject,
): Promise<{ rejected: HarperAnswer } | { answer: HarperAnswer }> {
  const name = body["operation"];
  if (typeof name !== "string") return { rejected: errorAnswer(400, "e.body?.operation?.startsWith is not a function") };
  const entry = options.table.lookup(name);
  if (!entry) return { rejected: errorAnswer(400, `Operation '${name}' not found`) };
  // A body that does not fit the request message is answered only after authentication and the
  // role check, in the order Harper checks: the chain runs with an empty message and the
  // innermost step answers the body error.
  let message;
  let bodyError: ConnectError | undefined;
  try {
    message = requestFromHarperJson(entry.method.input, body);
  } catch (error) {
    if (!isBodyError(error)) throw error;
    message = create(entry.method.input);
    bodyError = new ConnectError(error.message, Code.InvalidArgument);
  }
  const { service, method } = entry;
  const handler = options.handlerOf(service, method);
  const contextValues = (options.contextValues?.(req) ?? createContextValues()).set(kJsonKeys, new Set(Object.keys(body)));
  const header = headersOf(req);
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  const innermost = async (request: UnaryRequest): Promise<UnaryResponse> => {
    if (bodyError) throw bodyError;
    // A plain context: connect's createHandlerContext builds abort controllers and signals per
    // call, which a unary JSON request never uses (measured: about a tenth of its CPU).
    const context: HandlerContext = {
      service,
      method,
      protocolName: "harper-json",
      requestMethod: "POST",
      url,
      signal: neverAborted,
      timeoutMs: () => undefined,
      requestHeader: request.header,
      responseHeader: new Headers(),
      responseTrailer: new Headers(),
      values: request.contextValues,
    };
    const output = await handler(request.message, context);
    return {
      stream: false,
      service,
      method,
      header: context.responseHeader,
      trailer: context.responseTrailer,
      message: create(method.output as DescMessage, output as never),
    } as UnaryResponse;
  };
  const chain = options.interceptors.reduceRight(
    (next, interceptor) => interceptor(next as never) as typeof innermost,
    innermost,
  );
  let response;
  try {
    response = await chain({
      stream: false,
      service,
      method,
      requestMethod: "POST",
      url,
      signal: neverAborted,
      header,
      contextValues,
      message,
    } as UnaryRequest);
  } catch (error) {
    return { answer: harperAnswerOf(error) };
  }
  return { answer: { status: 200, body: responseToHarperJson(method.output, response.message as never) } };
}

/** Reads and parses the body, or answers the way Harper answers an unusable one. */
async function readBody(req: NodeRequest, limit: number): Promise<{ body: JsonObject } | { answer: HarperAnswer }> {
  if (req.method !== "POST") return { answer: errorAnswer(404, `Cannot ${req.method} ${req.url}`) };
  const type = String(req.headers["content-type"] ?? "application/json").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const bare = type.split(";")[0]!.trim();
    return { answer: errorAnswer(415, `Unsupported Media Type: ${bare}`) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { answer: errorAnswer(413, `Request body is larger than the limit of ${limit} bytes`) };
    chunks.push(chunk);
  }
  if (!type.includes("json")) return { answer: badRequest(noOperation) };
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    return { answer: errorAnswer(400, "Body cannot be empty when content-type is set to 'application/json'") };
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    return { answer: errorAnswer(400, jsonSyntaxMessage(error)) };
  }
  if (value === null) return { answer: badRequest("Cannot read properties of null (reading 'operation')") };
  if (typeof value !== "object") return { answer: badRequest(noOperation) };
  if (Array.isArray(value)) return { answer: value.length ? errorAnswer(400, noOperation) : badRequest(noOperation) };
  if (Object.keys(value).length === 0) return { answer: badRequest(noOperation) };
  if (!("operation" in value)) return { answer: errorAnswer(400, noOperation) };
  return { body: value };
}

function headersOf(req: NodeRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    headers.set(key, Array.isArray(value) ? value.join(", ") : String(value));
  }
  return headers;
}

function write(res: NodeResponse, answer: HarperAnswer): void {
  const text = JSON.stringify(answer.body);
  (res as ServerResponse).writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  (res as ServerResponse).end(text);
}
