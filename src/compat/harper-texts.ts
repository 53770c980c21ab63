import type { JsonObject } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { reasonOf } from "../contract/index.js";
import type { ErrorReason } from "../contract/index.js";

/** What the JSON API answers instead of an error's own message: a status and a body. */
export interface HarperText {
  status: number;
  body: JsonObject;
}

/**
 * Harper 4.7 answers some client mistakes with the text of the JavaScript error its code hits (a
 * property read on undefined or null) or with its web framework's 400 envelope. Those texts are a
 * compatibility concern, so they live here: the services refuse the same requests with a clear
 * message and a reason (contract/error-reason.ts), and only Harper JSON clients get Harper's text.
 * `undefined` keeps the service's own message.
 */
const texts: Record<ErrorReason, (error: ConnectError, body: JsonObject) => HarperText | undefined> = {
  // `conditions.map(...)` on an absent key; an empty array gets the validator's message.
  CONDITIONS_EMPTY: (_error, body) =>
    "conditions" in body ? undefined : crash("Cannot read properties of undefined (reading 'map')"),
  // `value.includes('*')` on a null search value.
  SEARCH_VALUE_NULL: () => crash("Cannot read properties of null (reading 'includes')"),
  // `attribute.startsWith(...)` on a condition without an attribute.
  CONDITION_ATTRIBUTE_MISSING: () => crash("Cannot read properties of undefined (reading 'startsWith')"),
  // drop_role's schema check fails in the framework, which answers its own envelope.
  ROLE_ID_MISSING: (error) => ({ status: 400, body: { statusCode: 400, error: "Bad Request", message: error.rawMessage } }),
};

/** Harper's own answer to an error that names a reason, for the JSON body that caused it. */
export function harperTextOf(error: ConnectError, body: JsonObject): HarperText | undefined {
  const reason = reasonOf(error);
  return reason === undefined ? undefined : texts[reason](error, body);
}

function crash(message: string): HarperText {
  return { status: 400, body: { error: message } };
}
