import { ConnectError } from "@connectrpc/connect";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  PermissionErrorDetailSchema,
  RoleValidationErrorDetailSchema,
} from "../../gen/harper/v1/common_pb.js";
import { httpStatusOf } from "../contract/index.js";
import { harperTextOf } from "./harper-texts.js";

/** An HTTP answer of the JSON API: status and body. */
export interface HarperAnswer {
  status: number;
  body: JsonValue;
}

/**
 * Translates an error from the service layer into Harper's answer: the 403 permission object
 * and the role-validation object when the error carries them as details, Harper's own text where
 * it answers the error's reason differently (harper-texts.ts), `{"error": message}` otherwise.
 * Errors that are not ConnectErrors are bugs: 500 with a generic message (the caller logs the
 * cause), never a stack trace.
 */
export function harperAnswerOf(error: unknown, body?: JsonObject): HarperAnswer {
  if (!(error instanceof ConnectError)) return { status: 500, body: { error: "Internal server error" } };
  const status = httpStatusOf(error.code);
  const [permission] = error.findDetails(PermissionErrorDetailSchema);
  if (permission) {
    return {
      status,
      body: {
        error: permission.error,
        unauthorized_access: permission.unauthorizedAccess.map((v) => toJson(ValueSchema, v)),
        invalid_schema_items: permission.invalidSchemaItems,
      },
    };
  }
  const [roleValidation] = error.findDetails(RoleValidationErrorDetailSchema);
  if (roleValidation) {
    return {
      status,
      body: {
        error: roleValidation.error,
        main_permissions: roleValidation.mainPermissions,
        schema_permissions: (roleValidation.schemaPermissions ?? {}) as JsonObject,
      },
    };
  }
  return (body && harperTextOf(error, body)) ?? { status, body: { error: error.rawMessage } };
}

/** The framework-style body Harper answers for a body that is not a usable object. */
export function badRequest(message: string): HarperAnswer {
  return { status: 400, body: { statusCode: 400, error: "Bad Request", message } };
}

/** A plain `{"error": ...}` answer. */
export function errorAnswer(status: number, error: string): HarperAnswer {
  return { status, body: { error } };
}

/**
 * The message for a body that JSON.parse refused: V8's parser message without the
 * "(line L column C)" suffix that newer V8 versions append, so every Node version answers with
 * the text Harper 4.7 answers.
 */
export function jsonSyntaxMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(line \d+ column \d+\)$/, "");
}
