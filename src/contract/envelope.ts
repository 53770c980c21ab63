/**
 * The error metadata key by which a service asks the JSON adapter for Harper's framework-style
 * 400 body (`{"statusCode":400,"error":"Bad Request","message":...}`), which Harper answers for a
 * few schema validation failures (drop_role without id). gRPC clients see it as error metadata.
 */
export const envelopeHeader = "harper-envelope";

/** The value of envelopeHeader that selects the framework-style body. */
export const badRequestEnvelope = "bad-request";
