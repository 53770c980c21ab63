import { getOption, hasOption } from "@bufbuild/protobuf";
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { field as fieldOption } from "../../gen/harper/v1/options_pb.js";

/**
 * How one message maps onto Harper's JSON, read once from the `(harper.v1.field)` options of
 * its fields.
 */
export interface MessageMapping {
  /** JSON key -> field, for every field name and every declared alias. */
  readonly byKey: ReadonlyMap<string, DescField>;
  /** Alias key -> the field's own name. */
  readonly aliases: ReadonlyMap<string, string>;
  /** The field the message renders as, when one is marked `unwrap`. */
  readonly unwrap: DescField | undefined;
  /** Fields Harper leaves out when empty. */
  readonly omitEmpty: readonly DescField[];
  /** Fields holding messages of our own (not well-known types), which may need mapping too. */
  readonly nested: readonly DescField[];
  /** Field name -> Harper's message for a value of the wrong JSON type, where it has its own. */
  readonly typeErrors: ReadonlyMap<string, string>;
}

const cache = new WeakMap<DescMessage, MessageMapping>();

/**
 * Returns the mapping of a message, computed on first use. Throws when a message marks more than
 * one field `unwrap`, or when an alias collides with another key of the message.
 */
export function fieldMapping(message: DescMessage): MessageMapping {
  let mapping = cache.get(message);
  if (!mapping) {
    mapping = computeMapping(message);
    cache.set(message, mapping);
  }
  return mapping;
}

function computeMapping(message: DescMessage): MessageMapping {
  const byKey = new Map<string, DescField>();
  const aliases = new Map<string, string>();
  const omitEmpty: DescField[] = [];
  const nested: DescField[] = [];
  const typeErrors = new Map<string, string>();
  let unwrap: DescField | undefined;
  for (const field of message.fields) {
    byKey.set(field.name, field);
  }
  for (const field of message.fields) {
    if (messageOf(field) && !isWellKnown(messageOf(field)!)) nested.push(field);
    if (!hasOption(field, fieldOption)) continue;
    const options = getOption(field, fieldOption);
    for (const alias of options.aliases) {
      if (byKey.has(alias)) {
        throw new Error(`alias '${alias}' of ${field.toString()} collides with another key of ${message.typeName}`);
      }
      byKey.set(alias, field);
      aliases.set(alias, field.name);
    }
    if (options.unwrap) {
      if (unwrap) throw new Error(`${message.typeName} marks both ${unwrap.name} and ${field.name} unwrap`);
      unwrap = field;
    }
    if (options.omitEmpty) omitEmpty.push(field);
    if (options.typeError) typeErrors.set(field.name, options.typeError);
  }
  return { byKey, aliases, unwrap, omitEmpty, nested, typeErrors };
}

/** The message type a field holds (singular, repeated or map value), if any. */
export function messageOf(field: DescField): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}

/** True for google.protobuf types, whose JSON form protobuf-es owns. */
export function isWellKnown(message: DescMessage): boolean {
  return message.typeName.startsWith("google.protobuf.");
}
