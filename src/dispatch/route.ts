import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createServiceImplSpec } from "@connectrpc/connect";
import type { MethodImplSpec, ServiceImpl, ServiceImplSpec } from "@connectrpc/connect";
import { operationOf } from "../contract/index.js";

/** One service of the route table: its generated descriptor and its implementation. */
export interface Route {
  readonly service: DescService;
  /** The implementation of every RPC, by local name, as the Connect router and the dispatcher run it. */
  readonly spec: ServiceImplSpec;
}

/**
 * A service of the route table, registered by its generated descriptor: `impl` must implement
 * every RPC of the service but those listed in `unbuilt` (a missing method is a compile error);
 * the listed ones answer "not implemented yet" until their issue lands.
 */
export function route<S extends DescService, Unbuilt extends keyof ServiceImpl<S> = never>(
  service: S,
  impl: Partial<ServiceImpl<S>> & Omit<ServiceImpl<S>, Unbuilt>,
  ...unbuilt: Unbuilt[]
): Route {
  const spec = createServiceImplSpec(service, impl);
  for (const name of unbuilt) notImplemented(spec.methods[String(name)]!);
  return { service, spec };
}

/**
 * A service whose operations are not built yet: every RPC answers UNIMPLEMENTED with
 * `Operation '<name>' is not implemented yet` (HTTP 501 over the JSON API). The interceptors run
 * first, so a caller who may not call the operation gets Harper's 401/403 rather than this.
 */
export function unbuilt(service: DescService): Route {
  const spec = createServiceImplSpec(service, {});
  for (const method of Object.values(spec.methods)) notImplemented(method);
  return { service, spec };
}

function notImplemented(method: MethodImplSpec): void {
  const error = `Operation '${operationOf(method.method).name}' is not implemented yet`;
  method.impl = () => {
    throw new ConnectError(error, Code.Unimplemented);
  };
}
