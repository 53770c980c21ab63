import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ContextValues } from "@connectrpc/connect";
import type { AuthUser } from "../auth/context.js";

/**
 * How a call reaches the dispatcher: from a transport (its headers and context values), or from
 * inside the server on behalf of a user (an export's embedded search, later cluster and component
 * code), which is authorised as that user by the same interceptors.
 */
export interface DispatchCall {
  /** The request headers (credentials); internal calls have none. */
  readonly header?: Headers;
  /** Values the transport set (client address, protocol). */
  readonly contextValues?: ContextValues;
  /** The user an internal call acts for: authenticated as that user, then checked as any caller. */
  readonly onBehalfOf?: AuthUser;
  /** The request URL, for the handler context; `internal:/` for internal calls. */
  readonly url?: string;
  /** The protocol name the handler context reports. */
  readonly protocolName?: string;
}

/**
 * Runs one Harper JSON operation: lookup by name or alias, parse into the request message, the
 * interceptor chain (log, auth, permissions), the handler, and the answer rendered as Harper's
 * JSON. Failures are ConnectErrors.
 */
export type Dispatch = (body: JsonObject, call: DispatchCall) => Promise<JsonValue>;
