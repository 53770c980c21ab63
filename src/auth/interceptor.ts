import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { Role } from "../../gen/harper/v1/options_pb.js";
import type { OperationTable } from "../contract/index.js";
import type { Authenticator } from "./authenticator.js";
import { isSuperUser, kRemoteAddress, kUser } from "./context.js";
import { noRoleError, restrictedError } from "./permission-error.js";

/**
 * The one interceptor that authenticates every RPC on every protocol (gRPC, gRPC-Web, Connect and
 * Harper JSON) and enforces the role the RPC declares in proto/. Order: authentication, then the
 * role; the handler runs only after both (and answers "not implemented" if it is not built yet).
 */
export function createAuthInterceptor(table: OperationTable, authenticator: Authenticator): Interceptor {
  return (next) => async (req) => {
    const entry = table.forMethod(req.method);
    if (!entry) throw new ConnectError(`Operation '${req.method.name}' not found`, Code.NotFound);
    const header = req.header.get("authorization");
    const remote = req.contextValues.get(kRemoteAddress);
    let user;
    if (entry.role === Role.NONE) {
      // Token exchange and login authenticate from their own body; a header is optional.
      user = await authenticator.authenticate(header, remote, entry.name).catch(() => undefined);
    } else {
      user = await authenticator.authenticate(header, remote, entry.name);
      if (!user) throw new ConnectError("Must login", Code.Unauthenticated);
      if (!user.role) throw noRoleError(user.username);
      if (entry.role === Role.SUPER_USER && !isSuperUser(user)) throw restrictedError(entry.internalName);
    }
    req.contextValues.set(kUser, user);
    return next(req);
  };
}
