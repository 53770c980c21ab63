import { Code, ConnectError } from "@connectrpc/connect";
import type { JsonValue } from "@bufbuild/protobuf";
import type { NoSqlCondition, NoSqlSort, SearchByConditionsRequest } from "../../gen/harper/v1/nosql_service_pb.js";
import { DEFAULT_LIMITS } from "../config/index.js";
import { errorReason, plainOfValue } from "../contract/index.js";
import type { TableInfo } from "../storage/index.js";
import { autoCastValue, normaliseComparator } from "../storage/query/index.js";
import type { Condition, ConditionGroup, Query, SortLevel } from "../storage/query/index.js";
import { checkAttributes } from "./projection.js";
import { invalid } from "./storage-errors.js";

/** The request limit of search_by_conditions (`operationsApi.limits.conditions`, settings.limits). */
export interface SearchLimits {
  /** Conditions of one request, every condition and group of every level counted. */
  readonly conditions: number;
}

/** The default of `operationsApi.limits.conditions`. */
export const defaultSearchLimits: SearchLimits = { conditions: DEFAULT_LIMITS.conditions };

/**
 * How deep groups of search conditions may nest (a top-level condition is at depth 1). Not
 * configurable: it keeps the recursive query building and matching well inside the stack. Over
 * the wire the JSON adapter's body depth limit and protobuf-es' decoding depth (100 messages,
 * binary and JSON) refuse deeper requests first; this bound holds for requests built in-process.
 */
export const maxConditionDepth = 100;

/**
 * Counts the conditions of a search_by_conditions (groups and the conditions in them, at every
 * level) and their nesting without recursion, and refuses the request with 400 naming the limit
 * when there are more than `limits.conditions` or they nest deeper than maxConditionDepth. Stops
 * counting as soon as a limit is passed, so the cost is bounded by the limits, not the request.
 */
export function checkConditionLimits(conditions: readonly NoSqlCondition[], limits: SearchLimits): void {
  let count = 0;
  const pending: Array<{ list: readonly NoSqlCondition[]; depth: number }> = [{ list: conditions, depth: 1 }];
  while (pending.length > 0) {
    const { list, depth } = pending.pop()!;
    if (depth > maxConditionDepth) {
      throw invalid(`search conditions nest more than ${maxConditionDepth} groups deep, the limit`);
    }
    count += list.length;
    if (count > limits.conditions) {
      throw invalid(`search_by_conditions has more than ${limits.conditions} conditions (groups and nested conditions included), the limit (operationsApi.limits.conditions)`);
    }
    for (const c of list) if (c.conditions.length > 0) pending.push({ list: c.conditions, depth: depth + 1 });
  }
}

/** Checked paging of a search: offset and limit. */
export interface Paging {
  offset?: number;
  limit?: number;
}

/** Harper's checks of limit, offset and get_attributes (spec nosql.md §6, §7.6). */
export function checkPaging(limit: number | undefined, offset: number | undefined, getAttributes: unknown[] | undefined): Paging {
  if (limit !== undefined) {
    if (!Number.isInteger(limit)) throw invalid("'limit' must be an integer");
    if (limit < 1) throw invalid("'limit' must be greater than or equal to 1");
  }
  if (offset !== undefined) {
    if (!Number.isInteger(offset)) throw invalid("'offset' must be an integer");
    if (offset < 0) throw invalid("'offset' must be greater than or equal to 0");
  }
  if (getAttributes !== undefined && getAttributes.length === 0) {
    throw invalid("'get_attributes' must contain at least 1 items");
  }
  return { offset, limit };
}

/**
 * The query of search_by_value: `"*"` is every record, `"x*"` starts_with, `"*x"` ends_with,
 * `"*x*"` contains (so `"**"` is contains `""`: every record with a value from `true` up, as in
 * Harper), anything else equality (wildcards only in strings). Results come in the attribute's
 * index order (`reverse`: backwards), where a record with an array value comes at its first
 * matching element.
 */
export function buildValueQuery(
  info: TableInfo,
  attribute: string,
  value: JsonValue,
  options: Paging & { reverse?: boolean; sort?: NoSqlSort },
): Query {
  checkAttributes(info, [attribute]);
  if (value === null) throw errorReason("SEARCH_VALUE_NULL", "'value' must not be null");
  if (typeof value === "object") throw invalid(`Unable to serialize object as a key: ${JSON.stringify(value)}`);
  let condition: Condition | undefined;
  if (typeof value === "string" && value.includes("*")) {
    const starts = value.startsWith("*");
    const ends = value.endsWith("*");
    if (value === "*") condition = undefined;
    else if (starts && ends) condition = { attribute, comparator: "contains", value: value.slice(1, -1) };
    else if (ends) condition = { attribute, comparator: "starts_with", value: value.slice(0, -1) };
    else if (starts) condition = { attribute, comparator: "ends_with", value: value.slice(1) };
    else condition = { attribute, comparator: "equals", value };
  } else {
    condition = { attribute, comparator: "equals", value };
  }
  // As in search_by_conditions, the value is converted to a declared type (spec §7.3).
  const type = condition && typeOf(info, attribute);
  if (condition && type) condition.value = coerce(attribute, condition.value, type);
  const sort = sortLevels(info, options.sort);
  return {
    where: condition ? { operator: "and", conditions: [condition] } : undefined,
    sort,
    offset: options.offset,
    limit: options.limit,
    reverse: options.reverse,
  };
}

/**
 * The query of search_by_conditions, with Harper's checks (spec nosql.md §7). Call
 * checkConditionLimits first: the groups are built recursively.
 */
export function buildConditionsQuery(info: TableInfo, request: SearchByConditionsRequest, paging: Paging): Query {
  const where = group(info, request.operator, request.conditions);
  const sort = sortLevels(info, request.sort);
  // not_equal means what it means at its place in Harper's plan (storage/query/harper-plan.ts).
  return { where, sort, offset: paging.offset, limit: paging.limit, reverse: request.reverse, harperPlan: true };
}

function group(info: TableInfo, operator: string | undefined, conditions: NoSqlCondition[]): ConditionGroup {
  const op = (operator ?? "and").toLowerCase();
  if (op !== "and" && op !== "or") throw invalid("'operator' must be one of [and, or]");
  if (conditions.length === 0) {
    throw invalid("'conditions' must contain at least 1 items");
  }
  if (op === "or" && conditions.length < 2) throw invalid('An "or" operator requires at least two conditions');
  return {
    operator: op,
    conditions: conditions.map((c) =>
      c.conditions.length || (c.operator !== undefined && c.attribute === undefined)
        ? group(info, c.operator, c.conditions)
        : condition(info, c),
    ),
  };
}

function condition(info: TableInfo, c: NoSqlCondition): Condition {
  if (c.attribute === undefined) throw errorReason("CONDITION_ATTRIBUTE_MISSING", "every search condition needs an 'attribute'");
  const named = normaliseComparator(c.comparator ?? "equals");
  if (!named) throw invalid(`Unknown query comparator "${c.comparator}"`);
  if (c.value === undefined) throw invalid(`Search condition for ${c.attribute} must have a value`);
  checkAttributes(info, [c.attribute]);
  let value: unknown = plainOfValue(c.value);
  if (named.comparator === "between" && !(Array.isArray(value) && (value.length === 1 || value.length === 2))) {
    throw invalid(`Search condition for ${c.attribute} with comparator 'between' must have a value of [low, high] (or [low]), not ${kindOf(value)}`);
  }
  // Harper 4.7.29: 500 `Cannot read properties of null (reading 'toString')`.
  if (named.comparator === "starts_with" && value === null) {
    throw invalid(`Search condition for ${c.attribute} with comparator 'starts_with' must have a value that is not null`);
  }
  const type = typeOf(info, c.attribute);
  if (type) value = coerce(c.attribute, value, type);
  else if (named.autoCast) value = Array.isArray(value) ? value.map(autoCastValue) : autoCastValue(value);
  return { attribute: c.attribute, comparator: named.comparator, value };
}

/** What a value is, for a message: `a string`, `an array of 3 items`, `null`. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A zone at the end of a Date value (else Harper appends `Z`, reading the text as UTC). */
const dateZone = /[+-][0-9]{2}:[0-9]{2}|[a-zA-Z]$/;

/**
 * Converts a search value to a declared attribute type (spec §7.3), as Harper 4.7.29's
 * `coerceType` does for every condition (and search_by_value) on a typed attribute: `null` stays
 * null, `""` is null except for String and Any; Int/Long take integers and integer text (`"$"` +
 * base 36 too); Float takes anything `+` turns into a number; Boolean turns `"true"`/`"false"` (any
 * case) into booleans and keeps other values (they then match nothing); Date takes epoch
 * milliseconds and date text (without a zone read as UTC); Any auto-casts like the short
 * comparator aliases. A value that cannot be converted answers 400 `Invalid value for attribute
 * <a>: "<v>", expecting <Type>`.
 */
function coerce(attribute: string, value: unknown, type: string): unknown {
  if (Array.isArray(value)) return value.map((v) => coerce(attribute, v, type));
  if (value === null) return null;
  if (value === "" && type !== "String" && type !== "Any") return null;
  let shown = String(value);
  const fail = () => invalid(`Invalid value for attribute ${attribute}: "${shown}", expecting ${type}`);
  switch (type) {
    case "Int":
    case "Long": {
      if (typeof value === "string" && value.startsWith("$")) {
        const n = parseInt(value.slice(1), 36);
        if (Number.isNaN(n)) throw fail();
        return n;
      }
      if (value === "null") return null;
      if (!/^-?[0-9]+$/.test(shown)) throw fail();
      return Number(value);
    }
    case "Float": {
      if (value === "null") return null;
      const n = Number(value);
      if (Number.isNaN(n)) throw fail();
      return n;
    }
    case "BigInt":
      if (value === "null") return null;
      try {
        return BigInt(value as string | number | boolean);
      } catch {
        throw fail();
      }
    case "Boolean": {
      if (typeof value !== "string") return value;
      const lower = value.toLowerCase();
      return lower === "true" ? true : lower === "false" ? false : value;
    }
    case "Date": {
      if (!Number.isNaN(Number(value))) return new Date(Number(value));
      if (value === "null") return null;
      if (!dateZone.test(shown)) shown += "Z";
      const d = new Date(shown);
      if (Number.isNaN(d.getTime())) throw fail();
      return d;
    }
    case "Any":
      return autoCastValue(value);
    default:
      return value;
  }
}

/** The declared type of an attribute, if it has one. */
function typeOf(info: TableInfo, attribute: string): string | undefined {
  const declared = info.attributes.find((a) => a.name === attribute);
  return (declared as { type?: string } | undefined)?.type;
}

/** The sort chain as levels, checked (spec §7.4). */
function sortLevels(info: TableInfo, sort: NoSqlSort | undefined): SortLevel[] | undefined {
  if (!sort) return undefined;
  const levels: SortLevel[] = [];
  for (let level: NoSqlSort | undefined = sort; level; level = level.next) {
    if (!level.attribute) throw invalid("Sort requires an attribute");
    if (!info.attributes.some((a) => a.name === level!.attribute)) {
      throw new ConnectError(`${level.attribute} is not a defined attribute`, Code.NotFound);
    }
    levels.push({ attribute: level.attribute, descending: level.descending });
  }
  return levels;
}
