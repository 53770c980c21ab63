/**
 * A statement the sql operation refuses: `invalid` is a client mistake (400), `not_found` a
 * database or table that does not exist (404), `forbidden` a write the system database refuses
 * (403), `busy` a statement that cannot be taken now (RESOURCE_EXHAUSTED, 429: too many long
 * statements wait for the parse thread). The service turns it into the answer; messages are
 * Harper's where Harper has one.
 */
export class SqlError extends Error {
  constructor(
    readonly kind: "invalid" | "not_found" | "forbidden" | "busy",
    message: string,
  ) {
    super(message);
    this.name = "SqlError";
  }
}

/** Whether a value is a SqlError. */
export function isSqlError(error: unknown): error is SqlError {
  return error instanceof SqlError;
}

/** 400 with `message`. */
export const invalidSql = (message: string) => new SqlError("invalid", message);

/** Harper's message for an unknown column. */
export const unknownColumn = (name: string) => invalidSql(`unknown column ${name}`);

/** Harper's message for statements its wrapper cannot run (UNION, comma joins, ...). */
export const searchProblem = "There was a problem performing this search. Please check the logs and try again.";
