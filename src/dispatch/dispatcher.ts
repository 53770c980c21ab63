import { create } from "@bufbuild/protobuf";
import type { DescMethod, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { ConnectRouter, HandlerContext, Interceptor, MethodImplSpec, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { kOnBehalfOf, kProtocol } from "../auth/context.js";
import {
  buildOperationTable,
  fieldMapping,
  isBodyError,
  kUnknownFields,
  requestFromHarperJson,
  responseToHarperJson,
} from "../contract/index.js";
import type { OperationTable } from "../contract/index.js";
import type { Dispatch, DispatchCall } from "./dispatch-call.js";
import type { Route } from "./route.js";

/** What the dispatcher is made of. */
export interface DispatcherOptions {
  /** The interceptors of every call on every protocol, outermost first (log, auth, permissions). */
  interceptors: readonly Interceptor[];
  /**
   * Builds the route table. It is given the dispatcher's own `dispatch`, for the services that
   * run other operations (an export's embedded search): they call it only once requests flow.
   */
  routes(dispatch: Dispatch): readonly Route[];
  /**
   * Told of every call refused before the interceptors (no usable body, unknown operation), for
   * the log; the request log interceptor logs everything else.
   */
  onRejected?(info: { operation: string | undefined; error: ConnectError }): void;
  /**
   * `operationsApi.limits`, for the lists the contract bounds by one of them (`count_limit`):
   * a Harper JSON body over such a bound is refused before it is converted.
   */
  limits?: Readonly<Record<string, number>>;
}

/** The route table, the dispatch table built from it, and the one dispatch path. */
export interface Dispatcher {
  /** Every service with its implementation, in the order given. */
  readonly routes: readonly Route[];
  /** Operation names and aliases to RPCs, built from the same routes. */
  readonly table: OperationTable;
  /** Runs a Harper JSON operation; the JSON adapter and internal callers both come here. */
  readonly dispatch: Dispatch;
  /** Registers every route on a Connect router (gRPC, gRPC-Web and Connect). */
  register(router: ConnectRouter): void;
}

type Next = Parameters<Interceptor>[0];
const neverAborted = new AbortController().signal;

/**
 * Creates the dispatcher: the routes, the dispatch table built from the same list, and `dispatch`,
 * which looks an operation up, parses its body into the request message, runs the interceptor
 * chain the Connect router runs and the handler, and renders the answer as Harper's JSON. A body
 * that does not fit the message is answered only after authentication and the role check, in the
 * order Harper checks: the chain runs with an empty message and the handler step answers it.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const routes = options.routes((body, call) => dispatch(body, call));
  const table = buildOperationTable(routes.map((r) => r.service));
  const handlers = new Map<DescMethod, MethodImplSpec>();
  for (const { spec } of routes) for (const method of Object.values(spec.methods)) handlers.set(method.method, method);

  const reject = (operation: string | undefined, message: string): ConnectError => {
    const error = invalid(message);
    options.onRejected?.({ operation, error });
    return error;
  };

  async function dispatch(body: JsonValue | undefined, call: DispatchCall): Promise<JsonValue> {
    if (body === undefined || body === null) throw reject(undefined, `Cannot read properties of ${body} (reading 'operation')`);
    if (typeof body !== "object" || Array.isArray(body)) throw reject(undefined, "Request body must include an 'operation' property.");
    const name = body["operation"];
    if (typeof name !== "string") throw reject(undefined, "'operation' must be a string");
    const entry = table.lookup(name);
    const handler = entry && handlers.get(entry.method);
    if (!entry || handler?.kind !== "unary") throw reject(name, `Operation '${name}' not found`);
    let message;
    let bodyError: ConnectError | undefined;
    try {
      message = requestFromHarperJson(handler.method.input, body, options.limits);
    } catch (error) {
      if (!isBodyError(error)) throw error;
      message = create(handler.method.input);
      bodyError = invalid(error.message);
    }
    const contextValues = call.contextValues ?? createContextValues().set(kProtocol, "internal");
    const unknown = unknownKeys(handler.method.input, body);
    if (unknown.length) contextValues.set(kUnknownFields, unknown);
    if (call.onBehalfOf !== undefined) contextValues.set(kOnBehalfOf, call.onBehalfOf);
    const url = call.url ?? "internal:/";
    const innermost: Next = async (request) => {
      if (bodyError) throw bodyError;
      // A plain context: connect's createHandlerContext builds abort controllers and signals per
      // call, which a unary JSON request never uses (measured: about a tenth of its CPU).
      const context: HandlerContext = {
        service: entry.service,
        method: handler.method,
        protocolName: call.protocolName ?? "internal",
        requestMethod: "POST",
        url,
        signal: neverAborted,
        timeoutMs: () => undefined,
        requestHeader: request.header,
        responseHeader: new Headers(),
        responseTrailer: new Headers(),
        values: request.contextValues,
      };
      const output = await handler.impl((request as UnaryRequest).message, context);
      const response: UnaryResponse = {
        stream: false,
        service: entry.service,
        method: handler.method,
        header: context.responseHeader,
        trailer: context.responseTrailer,
        message: create(handler.method.output, output),
      };
      return response;
    };
    const chain = options.interceptors.reduceRight<Next>((next, interceptor) => interceptor(next), innermost);
    const request: UnaryRequest = {
      stream: false,
      service: entry.service,
      method: handler.method,
      requestMethod: "POST",
      url,
      signal: neverAborted,
      header: call.header ?? new Headers(),
      contextValues,
      message,
    };
    const response = await chain(request);
    return responseToHarperJson(handler.method.output, (response as UnaryResponse).message);
  }

  return {
    routes,
    table,
    dispatch,
    register(router) {
      for (const { service, spec } of routes) {
        for (const method of Object.values(spec.methods)) {
          if (method.kind === "unary") router.rpc(method.method, method.impl);
          else throw new ConnectError(`${service.typeName}.${method.method.name} is not unary`, Code.Internal);
        }
      }
    },
  };
}

/** The keys of a body its request message has no field or alias for (`operation` excluded). */
function unknownKeys(input: Parameters<typeof fieldMapping>[0], body: JsonObject): string[] {
  const { byKey } = fieldMapping(input);
  const unknown: string[] = [];
  for (const key in body) if (key !== "operation" && !byKey.has(key)) unknown.push(key);
  return unknown;
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
