import { createReadStream, createWriteStream, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

/** logging.rotation as the server uses it (spec system-config-logs.md §6.1). */
export interface RotationSettings {
  enabled: boolean;
  /** Gzip rotated files. */
  compress: boolean;
  /** Rotate once the file reaches this many bytes; undefined for no size limit. */
  maxSize?: number;
  /** Rotate after this many milliseconds; undefined for no time limit. */
  intervalMs?: number;
  /** The folder rotated files go to. */
  path: string;
}

/** A log destination that can be reopened after its file was renamed (pino's SonicBoom). */
export interface Reopenable {
  flushSync(): void;
  reopen(): void;
}

const rotatedName = /^hdb-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)(-\d+)?\.log$/;

/** The rotated log files in a folder, oldest first (uncompressed ones: compressed files are archives). */
export function rotatedLogs(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((name) => rotatedName.test(name)).sort().map((name) => join(folder, name));
}

/**
 * Rotates the log file by size and/or age: checked every second, the file is renamed to
 * `<path>/hdb-<UTC time>.log` (gzipped to `.log.gz` with `compress`) and the destination reopened
 * on a fresh `hdb.log`. Answers a function that stops the checks.
 */
export function startRotation(file: string, destination: Reopenable, settings: RotationSettings, report: (error: unknown) => void): () => void {
  if (!settings.enabled || (settings.maxSize === undefined && settings.intervalMs === undefined)) return () => {};
  let since = Date.now();
  const check = () => {
    try {
      const size = statSync(file).size;
      const due = (settings.maxSize !== undefined && size >= settings.maxSize) || (settings.intervalMs !== undefined && Date.now() - since >= settings.intervalMs);
      if (!due || size === 0) return;
      destination.flushSync();
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      let target = join(settings.path, `hdb-${stamp}.log`);
      for (let n = 1; rotatedLogs(settings.path).includes(target); n++) target = join(settings.path, `hdb-${stamp}-${n}.log`);
      renameSync(file, target);
      destination.reopen();
      since = Date.now();
      if (settings.compress) {
        void pipeline(createReadStream(target), createGzip(), createWriteStream(`${target}.gz`))
          .then(() => rmSync(target, { force: true }))
          .catch(report);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") report(error);
    }
  };
  const timer = setInterval(check, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
