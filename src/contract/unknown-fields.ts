import { createContextKey } from "@connectrpc/connect";

/**
 * The keys of a request that its message has no field for, in the order sent, set by the
 * dispatcher when it parses a Harper JSON body (`operation` excluded). Most operations ignore
 * them, as Harper does; the role operations refuse them (Harper's "Invalid key in JSON body").
 * Binary gRPC requests carry unknown fields by number only, so the set is empty for them.
 */
export const kUnknownFields = createContextKey<readonly string[]>([], { description: "request keys without a field" });
