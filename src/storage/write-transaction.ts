import type { RootDatabase } from "lmdb";
import { toStorageError } from "./errors.js";

/**
 * Runs `work` as one atomic, durable write transaction of an environment and resolves with its
 * result once the commit is on disk.
 *
 * - Atomic: lmdb's `root.transaction()` commits whatever was written before a callback throws
 *   (SPIKE.md §6), so the work runs in a `childTransaction` inside it, which rolls back on a throw;
 *   the error is then rethrown here (a StorageError as is, anything else wrapped as INTERNAL).
 * - Batched: lmdb queues the callback and runs it on the main thread inside the next write batch,
 *   so reads made by `work` see the latest committed data plus this transaction's own writes.
 * - Durable: the environment is opened with `overlappingSync: false`, so the commit this promise
 *   waits for includes LMDB's fsync (see database-env.ts).
 *
 * `work` must be synchronous and change in-memory state only after its last write, so that a
 * throw leaves that state alone. `onFailure` runs when the commit itself fails (after every
 * callback of the batch ran), so that in-memory state can be restored from the disk.
 */
export async function writeTransaction<T>(
  root: RootDatabase,
  work: () => T,
  doing: string,
  onFailure?: () => void,
): Promise<T> {
  let failed = false;
  let failure: unknown;
  let result: T | undefined;
  try {
    await root.transaction(() => {
      try {
        // Inside a running write transaction lmdb runs the child synchronously and returns (or
        // throws) the callback's own result; the Promise type of the .d.ts does not apply here.
        result = root.childTransaction(work) as unknown as T;
      } catch (error) {
        failed = true;
        failure = error;
      }
    });
  } catch (error) {
    onFailure?.();
    throw toStorageError(error, doing);
  }
  if (failed) throw toStorageError(failure, doing);
  return result as T;
}
