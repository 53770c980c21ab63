import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import { Role } from "../../gen/harper/v1/options_pb.js";
import { operationOf } from "../contract/index.js";
import type { Authenticator } from "./authenticator.js";
import { kRemoteAddress, kUser } from "./context.js";

/**
 * The gate of every gRPC, gRPC-Web and Connect call: it runs once the headers are in and before
 * any byte of the body is read, decompressed or parsed (connect's `requestGate`), and
 * authenticates the caller from the headers. A call without valid credentials ends here with
 * UNAUTHENTICATED, so an unauthenticated client can make the server read nothing of its body.
 * Operations that authenticate from their own body (token creation, login: role NONE) pass
 * through; the auth interceptor then checks the role of the user the gate found.
 */
export function createRequestGate(authenticator: Authenticator): (context: HandlerContext) => Promise<void> {
  return async (context) => {
    const entry = operationOf(context.method);
    if (entry.role === Role.NONE) return;
    const user = await authenticator.authenticate(
      context.requestHeader.get("authorization"),
      context.values.get(kRemoteAddress),
      entry.name,
    );
    if (!user) throw new ConnectError("Must login", Code.Unauthenticated);
    context.values.set(kUser, user);
  };
}
