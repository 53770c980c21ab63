import { createContextKey } from "@connectrpc/connect";

/**
 * The top-level keys of a Harper JSON body, set by the JSON adapter. A handler consults it where
 * Harper tells an absent array from an empty one and proto cannot (a repeated field is empty in
 * both cases); gRPC and Connect calls leave it unset.
 */
export const kJsonKeys = createContextKey<ReadonlySet<string> | undefined>(undefined, {
  description: "keys of the Harper JSON body",
});

/** False only when the request came as Harper JSON without `key`. */
export function mayHave(keys: ReadonlySet<string> | undefined, key: string): boolean {
  return keys === undefined || keys.has(key);
}
