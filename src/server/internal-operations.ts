import { create } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import { kUser } from "../auth/context.js";
import type { AuthUser } from "../auth/context.js";
import { isBodyError, kJsonKeys, requestFromHarperJson, responseToHarperJson } from "../contract/index.js";
import type { OperationTable } from "../contract/index.js";

/** Runs a Harper JSON operation in-process as a given user and answers its JSON body. */
export type OperationRunner = (body: JsonObject, user: AuthUser) => Promise<JsonValue>;

type Handler = (request: unknown, context: HandlerContext) => unknown;

/**
 * The operations an export embeds (`search_operation`), run by the same implementation the JSON
 * API calls, with the caller as the user: the body is translated exactly as the adapter does,
 * and errors come out as the same ConnectErrors. The transport's interceptors are not run: the
 * operations that embed others (exports) are for super users, who pass every role check.
 */
export function createOperationRunner(table: OperationTable, implementations: Readonly<Record<string, object>>): OperationRunner {
  const neverAborted = new AbortController().signal;
  return async (body, user) => {
    const name = body["operation"];
    const entry = typeof name === "string" ? table.lookup(name) : undefined;
    if (!entry) throw new ConnectError(`Operation '${String(name)}' not found`, Code.InvalidArgument);
    let message;
    try {
      message = requestFromHarperJson(entry.method.input, body);
    } catch (error) {
      if (isBodyError(error)) throw new ConnectError(error.message, Code.InvalidArgument);
      throw error;
    }
    const handler = (implementations[entry.service.typeName] as Record<string, Handler> | undefined)?.[entry.method.localName];
    if (!handler) throw new ConnectError(`Operation '${String(name)}' is not implemented yet`, Code.Unimplemented);
    const context: HandlerContext = {
      service: entry.service,
      method: entry.method,
      protocolName: "internal",
      requestMethod: "POST",
      url: "internal:/",
      signal: neverAborted,
      timeoutMs: () => undefined,
      requestHeader: new Headers(),
      responseHeader: new Headers(),
      responseTrailer: new Headers(),
      values: createContextValues().set(kUser, user).set(kJsonKeys, new Set(Object.keys(body))),
    };
    const output = await handler.call(implementations[entry.service.typeName], message, context);
    return responseToHarperJson(entry.method.output, create(entry.method.output, output as never));
  };
}
