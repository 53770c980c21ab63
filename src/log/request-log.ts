import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { kProtocol, kUser } from "../auth/context.js";
import { httpStatusOf, operationOf } from "../contract/index.js";
import type { Logger } from "./logger.js";

/** Harper handles requests on its first HTTP worker thread, and read_log shows them as "http/1". */
export const requestThread = "http/1";

/**
 * The level of the log line of a refused request by the HTTP status it answers: a client mistake
 * (4xx) is `warn`, anything else (a server failure) `error`.
 */
export function failureLevel(status: number): "warn" | "error" {
  return status >= 400 && status < 500 ? "warn" : "error";
}

/**
 * The outermost interceptor: one log line per RPC on every protocol, on thread "http/1", with the
 * operation, the user, the protocol, the HTTP status and the duration. Successful calls log at
 * info; failures at error with the error's text as the message, as Harper logs them, client
 * mistakes included (the logs transcript reads a 404 back with read_log at level "error");
 * failures that are not ConnectErrors are bugs and carry their stack.
 */
export function createRequestLogInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const fields = () => ({
      // The line names its thread instead of a child logger binding it: see createLogger.
      thread: requestThread,
      tags: [] as string[],
      operation: operationOf(req.method).name,
      user: req.contextValues.get(kUser)?.username,
      protocol: req.contextValues.get(kProtocol),
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    });
    try {
      const response = await next(req);
      const f = fields();
      logger.info({ ...f, status: 200 }, `${f.operation} 200 ${f.duration_ms}ms`);
      return response;
    } catch (error) {
      const known = error instanceof ConnectError;
      const connectError = ConnectError.from(error);
      const status = httpStatusOf(connectError.code);
      if (!known || connectError.code === Code.Internal || connectError.code === Code.Unknown) {
        logger.error({ ...fields(), status, err: error }, connectError.rawMessage);
        // A bug's own message may reveal internals: the client gets a generic one.
        if (!known) throw new ConnectError("Internal server error", Code.Internal, undefined, undefined, error);
      } else {
        // A client mistake is the client's news, not the operator's: warn (Harper logs it at error).
        logger[failureLevel(status)]({ ...fields(), status }, connectError.rawMessage);
      }
      throw error;
    }
  };
}
