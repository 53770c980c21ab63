import { ScalarType, getOption, hasOption } from "@bufbuild/protobuf";
import type { DescField, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Body,
  Role,
  TablePermission,
  operation as operationOption,
} from "../../gen/harper/v1/options_pb.js";
import { fieldMapping } from "./field-mapping.js";

/**
 * One Harper operation as the dispatch table knows it: the RPC that implements it and the
 * options declared on that RPC in proto/.
 */
export interface OperationEntry {
  /** The Harper operation name, e.g. "search_by_id". */
  readonly name: string;
  /** Alternative names routed to the same RPC, e.g. ["search_by_hash"]. */
  readonly aliases: readonly string[];
  /** The service that declares the RPC. */
  readonly service: DescService;
  /** The RPC. */
  readonly method: DescMethod;
  /** The role the caller needs. */
  readonly role: Role;
  /** The name Harper's "restricted to 'super_user'" message uses. */
  readonly internalName: string;
  /** The table permissions the operation needs on its (database, table). */
  readonly tablePermissions: readonly TablePermission[];
  /** The shape of Harper's JSON answer. */
  readonly body: Body;
  /** The response field that is the whole JSON answer, when the body is not the message itself. */
  readonly unwrapField: DescField | undefined;
}

/** The dispatch table: operation names and aliases, and RPCs, to their entries. */
export interface OperationTable {
  /** Every entry, in service and method order. */
  readonly entries: readonly OperationEntry[];
  /** Looks an operation up by its name or one of its aliases. */
  lookup(name: string): OperationEntry | undefined;
  /** Looks the entry of an RPC up. */
  forMethod(method: DescMethod): OperationEntry | undefined;
  /** Every name and alias the table resolves. */
  names(): IterableIterator<string>;
}

/** A declaration in proto/ that the dispatch table cannot accept. */
export class ContractError extends Error {
  override name = "ContractError";
}

/**
 * Builds the dispatch table from the descriptors of the given services. Every RPC must be unary
 * and declare the `(harper.v1.operation)` option with a name, a role and an internal name; names
 * and aliases must be unique across all services; the body shape must agree with the response's
 * `unwrap` field. Any violation throws a ContractError that names the RPC.
 */
export function buildOperationTable(services: readonly DescService[]): OperationTable {
  const entries: OperationEntry[] = [];
  const byName = new Map<string, OperationEntry>();
  const byMethod = new Map<DescMethod, OperationEntry>();
  for (const service of services) {
    for (const method of service.methods) {
      const entry = operationOf(method);
      for (const name of [entry.name, ...entry.aliases]) {
        const taken = byName.get(name);
        if (taken) {
          throw new ContractError(
            `operation name '${name}' of ${method.toString()} is already taken by ${taken.method.toString()}`,
          );
        }
        byName.set(name, entry);
      }
      byMethod.set(method, entry);
      entries.push(entry);
    }
  }
  return {
    entries,
    lookup: (name) => byName.get(name),
    forMethod: (method) => byMethod.get(method),
    names: () => byName.keys(),
  };
}

const entries = new WeakMap<DescMethod, OperationEntry>();

/**
 * The operation an RPC implements, read from its options once and remembered: what interceptors
 * consult for the role and table permissions of the call they wrap. Throws a ContractError for
 * an RPC that is not fully declared.
 */
export function operationOf(method: DescMethod): OperationEntry {
  let entry = entries.get(method);
  if (!entry) entries.set(method, (entry = entryOf(method.parent, method)));
  return entry;
}

function entryOf(service: DescService, method: DescMethod): OperationEntry {
  const where = method.toString();
  if (method.methodKind !== "unary") {
    throw new ContractError(`${where} is not unary; every Harper operation is a unary RPC`);
  }
  if (!hasOption(method, operationOption)) {
    throw new ContractError(`${where} does not declare the (harper.v1.operation) option`);
  }
  const options = getOption(method, operationOption);
  if (!options.name) throw new ContractError(`${where} declares no operation name`);
  if (options.role === Role.UNSPECIFIED) throw new ContractError(`${where} declares no role`);
  if (!options.internalName) throw new ContractError(`${where} declares no internal name`);
  if (options.tablePermissions.includes(TablePermission.UNSPECIFIED)) {
    throw new ContractError(`${where} lists TABLE_PERMISSION_UNSPECIFIED`);
  }
  const body = options.body === Body.UNSPECIFIED ? Body.OBJECT : options.body;
  return {
    name: options.name,
    aliases: [...options.aliases],
    service,
    method,
    role: options.role,
    internalName: options.internalName,
    tablePermissions: [...options.tablePermissions],
    body,
    unwrapField: checkBody(where, body, method.output),
  };
}

/** Checks that the body shape agrees with the response's unwrap field, and returns that field. */
function checkBody(where: string, body: Body, output: DescMessage): DescField | undefined {
  const unwrap = fieldMapping(output).unwrap;
  const fail = (what: string): never => {
    throw new ContractError(`${where} declares body ${Body[body]} but ${what}`);
  };
  switch (body) {
    case Body.OBJECT:
      if (unwrap && unwrap.fieldKind !== "message") fail(`unwraps ${unwrap.name}, which is not a message`);
      break;
    case Body.ARRAY:
      if (!unwrap || (unwrap.fieldKind !== "list" && !isWkt(unwrap, "google.protobuf.ListValue"))) {
        fail("its response has no repeated field marked unwrap");
      }
      break;
    case Body.STRING:
      if (!unwrap || unwrap.fieldKind !== "scalar" || unwrap.scalar !== ScalarType.STRING) {
        fail("its response has no string field marked unwrap");
      }
      break;
    case Body.MAP:
      if (!unwrap || (unwrap.fieldKind !== "map" && !isWkt(unwrap, "google.protobuf.Struct"))) {
        fail("its response has no map field marked unwrap");
      }
      break;
    case Body.VALUE:
      if (
        !unwrap ||
        !(
          isWkt(unwrap, "google.protobuf.Value") ||
          isWkt(unwrap, "google.protobuf.Struct") ||
          isWkt(unwrap, "google.protobuf.ListValue")
        )
      ) {
        fail("its response has no google.protobuf.Value, Struct or ListValue field marked unwrap");
      }
      break;
    default:
      fail("that shape is unknown");
  }
  return unwrap;
}

function isWkt(field: DescField, typeName: string): boolean {
  return field.fieldKind === "message" && field.message.typeName === typeName;
}
