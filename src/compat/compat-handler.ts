import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { createContextValues } from "@connectrpc/connect";
import type { ContextValues } from "@connectrpc/connect";
import { kCredentialsRefused, kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import type { Dispatch } from "../dispatch/dispatch-call.js";
import { closeUnreadOnFinish } from "./close-unread.js";
import { jsonDepthExceeds } from "./json-depth.js";
import { forbiddenPrototypeMessage, hasPrototypeKey } from "./prototype-keys.js";
import { badRequest, errorAnswer, harperAnswerOf, jsonSyntaxMessage } from "./errors.js";
import type { HarperAnswer } from "./errors.js";

/** A request or response of either HTTP version. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** What the JSON adapter needs. */
export interface CompatOptions {
  /** The one dispatch path: lookup, parse, interceptors, handler, render. */
  dispatch: Dispatch;
  /** Bodies larger than this are refused with 413. */
  maxBodyBytes: number;
  /** JSON bodies nested deeper than this (objects and arrays) are refused with 400. */
  maxJsonDepth: number;
  /**
   * Authenticates the caller from the headers, before the body is read: the user, undefined when
   * the request carries no credentials, or a ConnectError (UNAUTHENTICATED) for bad ones.
   */
  authenticate(req: NodeRequest): Promise<AuthUser | undefined>;
  /** Context values of a request (the client's address and the like). */
  contextValues?(req: NodeRequest): ContextValues;
  /**
   * Told of every request the adapter refuses before dispatch (malformed body), for logging; the
   * dispatcher and the interceptors log everything else.
   */
  onRejected?(info: { operation: string | undefined; status: number; message: string; req: NodeRequest }): void;
}

const noOperation = "Request body must include an 'operation' property.";
/**
 * The most a request without valid credentials may send: enough for the operations that
 * authenticate from their body (create_authentication_tokens, login), and no more.
 */
export const unauthenticatedBodyBytes = 64 * 1024;

/**
 * Harper's JSON API on `POST /`: the body is read, checked as Harper checks an unusable one, and
 * handed to the dispatcher, which runs the same interceptors and implementation as gRPC and
 * Connect calls and answers Harper's JSON; errors are written in Harper's envelopes and texts.
 * The adapter translates only: it holds no business logic.
 */
export function createCompatHandler(options: CompatOptions): (req: NodeRequest, res: NodeResponse) => Promise<void> {
  return async (req, res) => {
    closeUnreadOnFinish(req, res);
    let answer: HarperAnswer;
    try {
      // Credentials first: a caller without valid ones may send only a small body (for the
      // operations that authenticate from it), and one with bad ones gets its 401 even for a body
      // that does not parse, as Harper answers.
      let user: AuthUser | undefined;
      let refused: unknown;
      try {
        user = await options.authenticate(req);
      } catch (error) {
        refused = error;
      }
      const limit = user ? options.maxBodyBytes : Math.min(unauthenticatedBodyBytes, options.maxBodyBytes);
      const parsed = await readBody(req, limit, options.maxJsonDepth);
      if ("answer" in parsed) {
        answer = refused !== undefined ? harperAnswerOf(refused) : !user && parsed.answer.status === 413 ? mustLogin() : parsed.answer;
      } else if (parsed.body["operation"] === null) {
        // Harper's router reads `null` as no operation at all (`e.body?.operation?.startsWith`).
        answer = errorAnswer(400, noOperation);
      } else if (typeof parsed.body["operation"] !== "string") {
        // Harper's router calls `operation.startsWith` on whatever else was sent (500 there).
        answer = errorAnswer(400, "e.body?.operation?.startsWith is not a function");
      } else {
        return await run(options, req, res, parsed.body, user, refused);
      }
    } catch (error) {
      return write(res, harperAnswerOf(error));
    }
    const body = answer.body as JsonObject;
    const message = String(body["error"] ?? body["message"] ?? "");
    options.onRejected?.({ operation: undefined, status: answer.status, message, req });
    write(res, answer);
  };
}

/** The answer to a request without credentials that sent more than it may. */
function mustLogin(): HarperAnswer {
  return errorAnswer(401, "Must login");
}

/** Dispatches the operation and writes its answer, or the error in Harper's form. */
async function run(
  options: CompatOptions,
  req: NodeRequest,
  res: NodeResponse,
  body: JsonObject,
  user: AuthUser | undefined,
  refused: unknown,
): Promise<void> {
  let answer: HarperAnswer;
  const contextValues = options.contextValues?.(req) ?? createContextValues();
  if (user) contextValues.set(kUser, user);
  // A Basic refusal holds for every operation; a Bearer one depends on the operation (refresh).
  if (refused !== undefined && /^Basic /.test(String(req.headers["authorization"]))) contextValues.set(kCredentialsRefused, refused);
  try {
    const result = await options.dispatch(body, {
      header: headersOf(req),
      contextValues,
      url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
      protocolName: "harper-json",
    });
    answer = { status: 200, body: result };
  } catch (error) {
    answer = harperAnswerOf(error, body);
  }
  write(res, answer);
}

/** Reads and parses the body, or answers the way Harper answers an unusable one. */
async function readBody(req: NodeRequest, limit: number, maxDepth: number): Promise<{ body: JsonObject } | { answer: HarperAnswer }> {
  if (req.method !== "POST") return { answer: errorAnswer(404, `Cannot ${req.method} ${req.url}`) };
  const type = String(req.headers["content-type"] ?? "application/json").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const bare = type.split(";")[0]!.trim();
    return { answer: errorAnswer(415, `Unsupported Media Type: ${bare}`) };
  }
  const tooLarge = () => ({ answer: errorAnswer(413, `Request body is larger than the limit of ${limit} bytes`) });
  if (Number(req.headers["content-length"] ?? 0) > limit) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return tooLarge();
    chunks.push(chunk);
  }
  if (!type.includes("json")) return { answer: badRequest(noOperation) };
  if (size === 0) {
    return { answer: errorAnswer(400, "Body cannot be empty when content-type is set to 'application/json'") };
  }
  // Only a body of no bytes is "empty": one of blanks, or only a byte-order mark, fails to parse
  // ("Unexpected end of JSON input"), as Harper's parser answers.
  const text = withoutByteOrderMark(Buffer.concat(chunks).toString("utf8"));
  if (jsonDepthExceeds(text, maxDepth)) {
    return { answer: errorAnswer(400, `The request body is nested deeper than the limit of ${maxDepth} (operationsApi.limits.jsonDepth)`) };
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    return { answer: errorAnswer(400, jsonSyntaxMessage(error)) };
  }
  if (hasPrototypeKey(text, value)) return { answer: errorAnswer(400, forbiddenPrototypeMessage) };
  if (value === null) return { answer: badRequest("Cannot read properties of null (reading 'operation')") };
  if (typeof value !== "object") return { answer: badRequest(noOperation) };
  if (Array.isArray(value)) return { answer: value.length ? errorAnswer(400, noOperation) : badRequest(noOperation) };
  if (Object.keys(value).length === 0) return { answer: badRequest(noOperation) };
  if (!("operation" in value)) return { answer: errorAnswer(400, noOperation) };
  return { body: value };
}

/**
 * The body text without one leading UTF-8 byte-order mark (EF BB BF): Harper's JSON parser
 * (secure-json-parse) drops it before parsing, so a body saved by a BOM-writing editor works. A
 * second mark is text and fails to parse, as there.
 */
function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
