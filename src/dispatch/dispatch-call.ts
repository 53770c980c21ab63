import type { JsonValue } from "@bufbuild/protobuf";
import type { ContextValues } from "@connectrpc/connect";

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
  /**
   * The name of the user an internal call acts for: the call runs as that user as stored now
   * (role, active), through the same role and permission checks as any caller.
   */
  readonly onBehalfOf?: string;
  /** The request URL, for the handler context; `internal:/` for internal calls. */
  readonly url?: string;
  /** The protocol name the handler context reports. */
  readonly protocolName?: string;
}

/**
 * Runs one Harper JSON operation: lookup by name or alias, parse into the request message, the
 * interceptor chain (log, auth, permissions), the handler, and the answer rendered as Harper's
 * JSON. Failures are ConnectErrors; a body that is not an object fails as Harper's does
 * (`Cannot read properties of undefined (reading 'operation')`).
 */
export type Dispatch = (body: JsonValue | undefined, call: DispatchCall) => Promise<JsonValue>;
