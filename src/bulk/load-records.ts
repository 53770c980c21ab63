import type { StorageRecord, Table, WriteKind } from "../storage/index.js";
import type { JobProgress } from "../jobs/job-manager.js";

/** How a load writes: who writes, how it reports, and the check each batch passes before it is written. */
export interface LoadOptions {
  user?: string;
  progress?: JobProgress;
  /** Throws to stop the load before this batch is written (the role's attribute rules). */
  check?: (batch: readonly StorageRecord[]) => void;
}

/** A load that failed after some batches were committed: they stay, and the message says so. */
export class PartialLoadError extends Error {}

/**
 * Writes batches of records with one action (insert, update or upsert; spec nosql.md §2.3), one
 * durable transaction per batch, and answers Harper's completion message (spec bulk-jobs.md
 * §4.4): `successfully loaded <written> of <parsed> records`, or `No records parsed from csv
 * file.` when there were none. A failure after some batches were committed keeps them and adds
 * how many to the failure's message.
 */
export async function loadBatches(table: Table, action: WriteKind, batches: AsyncIterable<StorageRecord[]>, options: LoadOptions = {}): Promise<string> {
  let parsed = 0;
  let written = 0;
  try {
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      options.check?.(batch);
      const result = await table.write(action, batch, { user: options.user });
      parsed += batch.length;
      written += result.written.length;
      options.progress?.update({ records_parsed: parsed, records_written: written });
    }
  } catch (error) {
    if (parsed === 0 || !(error instanceof Error)) throw error;
    const partial = new PartialLoadError(`${error.message} (${written} of ${parsed} records were loaded before the error)`);
    throw partial;
  }
  if (parsed === 0) return "No records parsed from csv file.";
  return `successfully loaded ${written} of ${parsed} records`;
}
