/**
 * The contract layer: the dispatch table built from the descriptors of proto/harper/v1, and the
 * mapping between Harper's JSON bodies and the request and response messages.
 */
export { services } from "../../gen/harper/v1/services_pb.js";
export { buildOperationTable, ContractError, operationOf } from "./operation-table.js";
export type { OperationEntry, OperationTable } from "./operation-table.js";
export { fieldMapping } from "./field-mapping.js";
export type { MessageMapping } from "./field-mapping.js";
export {
  BodyError,
  isBodyError,
  messageFromHarperJson,
  requestFromHarperJson,
  responseToHarperJson,
} from "./harper-json.js";
export { kUnknownFields } from "./unknown-fields.js";
export { plainOfValue, valueOfPlain } from "./json-value.js";
export { errorReason, reasonOf } from "./error-reason.js";
export type { ErrorReason } from "./error-reason.js";
export { httpStatusOf } from "./http-status.js";
