import { Code, ConnectError } from "@connectrpc/connect";
import { isStorageError, systemIsReadOnlyMessage } from "../storage/index.js";
import type { StorageErrorCode } from "../storage/index.js";

const codeOf: Record<StorageErrorCode, Code> = {
  INVALID: Code.InvalidArgument,
  NOT_FOUND: Code.NotFound,
  ALREADY_EXISTS: Code.AlreadyExists,
  FORBIDDEN: Code.PermissionDenied,
  CLOSED: Code.Unavailable,
  INTERNAL: Code.Internal,
};

/**
 * Translates a storage error into the ConnectError the service answers, once, at the service
 * boundary. `overrides` changes the code of one storage code where Harper answers differently for
 * this operation (Harper answers duplicate creates with 400, missing tables of insert with 400).
 */
export function toConnectError(error: unknown, overrides: Partial<Record<StorageErrorCode, Code>> = {}): unknown {
  if (!isStorageError(error)) return error;
  return new ConnectError(error.message, overrides[error.code] ?? codeOf[error.code], undefined, undefined, error);
}

/** Runs `work`, translating storage errors. */
export async function translating<T>(
  work: () => Promise<T> | T,
  overrides?: Partial<Record<StorageErrorCode, Code>>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toConnectError(error, overrides);
  }
}

/** A 400 with Harper's text. */
export function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** A 404 with Harper's text. */
export function notFound(message: string): ConnectError {
  return new ConnectError(message, Code.NotFound);
}

/** The 403 for any change to the `system` database. */
export function forbiddenSystem(): ConnectError {
  return new ConnectError(systemIsReadOnlyMessage, Code.PermissionDenied);
}
