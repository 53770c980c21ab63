import { compareKeys } from "lmdb";
import type { Key } from "lmdb";

/**
 * Orders two index or primary key values as the store does (lmdb's ordered-binary order: null <
 * false < true < numbers < strings < arrays), for callers that merge or order keys they read.
 */
export function compareStoredKeys(a: unknown, b: unknown): number {
  return compareKeys(a as Key, b as Key);
}
