/**
 * A query the engine cannot run: an unknown comparator, a condition without attribute or value,
 * a bad sort level, a negative offset. The message is Harper's text where Harper has one
 * (`Unknown query comparator "bogus"`), so the service layer can pass it on as a 400.
 */
export class QueryError extends Error {
  override name = "QueryError";
}

/** Type guard for QueryError that checks the name, not the prototype. */
export function isQueryError(error: unknown): error is QueryError {
  return error instanceof Error && error.name === "QueryError";
}
