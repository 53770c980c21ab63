import { getOption, hasOption } from "@bufbuild/protobuf";
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { field as fieldOption, message as messageOption } from "../../gen/harper/v1/options_pb.js";

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
  /** Field name -> how Harper checks the JSON type of the field's keys (see KeyChecks). */
  readonly checks: ReadonlyMap<string, KeyChecks>;
  /** How Harper joins the type errors of several fields of one body. */
  readonly typeErrorSeparator: string;
  /** Field name -> the `operationsApi.limits` key bounding its items, and the message over it. */
  readonly countLimits: ReadonlyMap<string, CountLimit>;
}

/** A list field's `count_limit` and `count_limit_error` options. */
export interface CountLimit {
  /** The key of `operationsApi.limits`. */
  readonly key: string;
  /** The message, `{limit}` standing for the limit. */
  readonly error: string;
}

/**
 * How Harper checks the JSON type of one field, from the field's `type_error`, `number_keys`,
 * `checked_keys` and `copied_to_aliases` options (proto/harper/v1/options.proto).
 */
export interface KeyChecks {
  /** Harper's own message for a wrong type (`{key}`/`{Key}` stand for the key), if it has one. */
  readonly typeError?: string;
  /** Keys under which a JSON number is read as its decimal string. */
  readonly numberKeys: ReadonlySet<string>;
  /** Keys checked each on its own, in Harper's order; empty: only the key that wins. */
  readonly checkedKeys: readonly string[];
  /** Harper copies the field's own key into its aliases before it checks. */
  readonly copiedToAliases: boolean;
  /** A value of another JSON type is read as not sent (`ignore_wrong_type`). */
  readonly ignoreWrongType?: boolean;
}

const noChecks: KeyChecks = { numberKeys: new Set(), checkedKeys: [], copiedToAliases: false };

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
  const checks = new Map<string, KeyChecks>();
  const countLimits = new Map<string, CountLimit>();
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
    for (const key of [...options.numberKeys, ...options.checkedKeys]) {
      if (key !== field.name && !options.aliases.includes(key)) {
        throw new Error(`${field.toString()} checks '${key}', which is neither its name nor an alias`);
      }
    }
    if (options.countLimit) countLimits.set(field.name, { key: options.countLimit, error: options.countLimitError });
    checks.set(field.name, {
      typeError: options.typeError || undefined,
      numberKeys: new Set(options.numberKeys),
      checkedKeys: options.checkedKeys,
      copiedToAliases: options.copiedToAliases,
      ignoreWrongType: options.ignoreWrongType,
    });
  }
  const typeErrorSeparator = hasOption(message, messageOption) ? getOption(message, messageOption).typeErrorSeparator : "";
  return { byKey, aliases, unwrap, omitEmpty, nested, checks, typeErrorSeparator: typeErrorSeparator || ". ", countLimits };
}

/** The type checks of a field: its declared ones, or the key that wins checked by JSON type alone. */
export function keyChecksOf(mapping: MessageMapping, field: DescField): KeyChecks {
  return mapping.checks.get(field.name) ?? noChecks;
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
