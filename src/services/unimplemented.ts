import { Code, ConnectError } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { OperationTable } from "../contract/index.js";

/** A service implementation keyed by RPC local name, as `router.service` takes it. */
export type LooseServiceImpl = Record<string, (request: never, context: never) => unknown>;

/**
 * An implementation of every RPC of a service that answers UNIMPLEMENTED with
 * `Operation '<name>' is not implemented yet` (HTTP 501 over the JSON API). Built operations
 * override these methods; the auth interceptor runs first, so a caller who may not call the
 * operation gets Harper's 401/403 rather than this.
 */
export function createUnimplementedService(service: DescService, table: OperationTable): LooseServiceImpl {
  const impl: LooseServiceImpl = {};
  for (const method of service.methods) {
    const name = table.forMethod(method)?.name ?? method.name;
    impl[method.localName] = () => {
      throw new ConnectError(`Operation '${name}' is not implemented yet`, Code.Unimplemented);
    };
  }
  return impl;
}
