import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AttributeDescriptorSchema } from "../../gen/harper/v1/database_service_pb.js";
import type { AttributeInfo, TableInfo } from "../storage/index.js";

type AttributeDescriptor = MessageInitShape<typeof AttributeDescriptorSchema>;

/**
 * The `attributes` of a table descriptor as Harper prints them (spec databases-tables.md §0.5):
 * the primary key as `{attribute, is_primary_key}` (with its `type` on schema-defined tables),
 * dynamic attributes with `indexed`, declared ones with `type` and `indexed` only when indexed.
 */
export function describeAttributes(info: TableInfo): AttributeDescriptor[] {
  return info.attributes.map((attribute) => describeAttribute(info, attribute));
}

function describeAttribute(info: TableInfo, a: AttributeInfo): AttributeDescriptor {
  const isKey = a.name === info.primaryKey;
  if (!info.schemaDefined) {
    return isKey ? { attribute: a.name, isPrimaryKey: true } : { attribute: a.name, indexed: a.indexed };
  }
  return {
    attribute: a.name,
    type: a.type,
    elements: typeof a.elements === "string" ? a.elements : a.elements?.type,
    indexed: !isKey && a.indexed ? true : undefined,
    isPrimaryKey: isKey ? true : undefined,
    nullable: a.nullable === false ? false : undefined,
  };
}
