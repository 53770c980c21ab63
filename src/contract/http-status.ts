import { Code } from "@connectrpc/connect";

/**
 * The HTTP status of each gRPC code, as the Connect protocol maps them (connect's own table is
 * marked internal, so it is repeated here).
 */
const statusOf: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** The HTTP status that answers a gRPC code: the JSON API's status and the request log's. */
export function httpStatusOf(code: Code): number {
  return statusOf[code] ?? 500;
}
