/** What went wrong in the storage core; the service layer maps each to a gRPC code. */
export type StorageErrorCode = "NOT_FOUND" | "ALREADY_EXISTS" | "INVALID";

/** The storage core's one error type: a code and Harper's message text. */
export class StorageError extends Error {
  override name = "StorageError";
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Type guard for StorageError that checks the name, not the prototype. */
export function isStorageError(error: unknown): error is StorageError {
  return error instanceof Error && error.name === "StorageError";
}
