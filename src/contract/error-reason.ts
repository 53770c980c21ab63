import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Why a request was refused, in words a client can match on (the `reason` of google.rpc.ErrorInfo),
 * carried as the error metadata `harper-reason`. The JSON adapter answers some of these with the
 * text Harper 4.7 answers (a JavaScript crash text, its framework's 400 envelope); every other
 * client gets the ConnectError's own clear message.
 * - `CONDITIONS_EMPTY`: search_by_conditions without conditions;
 * - `SEARCH_VALUE_NULL`: search_by_value with a null value;
 * - `CONDITION_ATTRIBUTE_MISSING`: a search condition without an attribute;
 * - `ROLE_ID_MISSING`: drop_role without an id.
 */
export type ErrorReason =
  | "CONDITIONS_EMPTY"
  | "SEARCH_VALUE_NULL"
  | "CONDITION_ATTRIBUTE_MISSING"
  | "ROLE_ID_MISSING";

const reasonKey = "harper-reason";
const reasons: ReadonlySet<string> = new Set<ErrorReason>([
  "CONDITIONS_EMPTY",
  "SEARCH_VALUE_NULL",
  "CONDITION_ATTRIBUTE_MISSING",
  "ROLE_ID_MISSING",
]);

/** A client-mistake error (INVALID_ARGUMENT unless `code` says otherwise) that names its reason. */
export function errorReason(reason: ErrorReason, message: string, code: Code = Code.InvalidArgument): ConnectError {
  return new ConnectError(message, code, { [reasonKey]: reason });
}

/** The reason an error names, if it names one. */
export function reasonOf(error: ConnectError): ErrorReason | undefined {
  const reason = error.metadata.get(reasonKey);
  return reason !== null && reasons.has(reason) ? (reason as ErrorReason) : undefined;
}
