import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { isPasswordHash } from "../auth/passwords.js";
import type { Id, Storage, StorageRecord } from "../storage/index.js";
import { validateRole } from "./role-validation.js";
import { invalid } from "./storage-errors.js";
import { createUserRecords } from "./user-records.js";

/**
 * Checks the records a super user writes straight into `system.hdb_user`, `system.hdb_role` or
 * `system.hdb_nodes` (the NoSQL writes Harper allows there), so that what is stored stays usable by
 * the operations that own those tables. HarperDB 4.7.29 stores anything: an upserted
 * `{"username":"raw1","role":"clerk"}` is then a user `drop_user` answers "does not exist" for.
 * Here a record is refused, with a 400 naming every problem, when:
 * - hdb_user: `username` is not a non-blank string; `role` (required for a new record) does not
 *   name an existing role by id or name; `active` is not a boolean; `password` is not a hash this
 *   server verifies (passwords are set with add_user or alter_user);
 * - hdb_role: `id` or `role` is not a non-blank string (`role` required for a new record);
 *   `permission` (required for a new record) is not what add_role accepts;
 * - hdb_nodes: `name` is not a non-blank string.
 * A user whose role was deleted has no role (refused with the no-role 403) and can still be
 * dropped; what cannot be undone is a change that leaves no active super user (keepsSuperUser).
 */
export function checkSystemRecords(
  storage: Storage,
  table: string,
  kind: "insert" | "update" | "upsert",
  records: readonly JsonObject[],
): void {
  const problems: string[] = [];
  const records_ = table === "hdb_user" || table === "hdb_role" ? createUserRecords(storage) : undefined;
  // An update, and an upsert of a present record, merge into what is stored: only the fields sent are checked.
  const present = (record: JsonObject) => {
    if (!records_) return false;
    const key = table === "hdb_user" ? record["username"] : record["id"];
    return (typeof key === "string" || typeof key === "number") && (table === "hdb_user" ? records_.users : records_.roles).get(key) !== undefined;
  };
  records.forEach((record, index) => {
    const whole = kind === "insert" || (kind === "upsert" && !present(record));
    const at = records.length > 1 ? `records[${index}].` : "";
    const text = (key: string, required: boolean) => {
      const value = record[key];
      if (value === undefined ? required : typeof value !== "string" || value.trim() === "") {
        problems.push(`'${at}${key}' must be a non-empty string`);
        return undefined;
      }
      return value as string | undefined;
    };
    if (table === "hdb_user") {
      text("username", true);
      const role = record["role"];
      if (role !== undefined || whole) {
        if (typeof role !== "string" || !records_!.roleOf(role)) problems.push(`'${at}role' must name an existing role`);
      }
      if (record["active"] !== undefined && typeof record["active"] !== "boolean") problems.push(`'${at}active' must be a boolean`);
      if (record["password"] !== undefined && !isPasswordHash(record["password"])) {
        problems.push(`'${at}password' must be a password hash made by this server; set passwords with add_user or alter_user`);
      }
    } else if (table === "hdb_role") {
      const id = text("id", true);
      const role = text("role", whole);
      const permission = record["permission"];
      if (permission !== undefined || whole) {
        if (!isObject(permission)) {
          problems.push(`'${at}permission' must be an object`);
        } else {
          validateRole({ kind: "alter", id: id ?? "unknown", role, permission }, records_!.catalog);
        }
      }
    } else if (table === "hdb_nodes") {
      text("name", true);
    }
  });
  if (problems.length) throw invalid(problems.join(". "));
}

/** The change a NoSQL write or delete makes to a system table. */
export type SystemChange =
  | { kind: "insert" | "update" | "upsert"; records: readonly JsonObject[] }
  | { kind: "delete"; ids: readonly Id[] };

/**
 * Refuses (409) a write or delete of hdb_user or hdb_role that would leave no active user whose
 * role is a super user role: nobody could then run the operations that repair it. Harper 4.7.29
 * lets a super user delete its own hdb_user record. Evaluated on the records as they would be after
 * the change: inserts add absent keys, updates merge into present ones, upserts merge or add.
 */
export function keepsSuperUser(storage: Storage, table: string, change: SystemChange): void {
  if (table !== "hdb_user" && table !== "hdb_role") return;
  const { users, roles } = createUserRecords(storage);
  const key = table === "hdb_user" ? "username" : "id";
  const after = new Map<unknown, StorageRecord>();
  for (const record of (table === "hdb_user" ? users : roles).scan()) after.set(record[key], record);
  if (change.kind === "delete") {
    for (const id of change.ids) after.delete(id);
  } else {
    for (const record of change.records) {
      const current = after.get(record[key]);
      if (change.kind === "insert" ? current === undefined : change.kind === "upsert" || current !== undefined) {
        after.set(record[key], { ...(change.kind === "insert" ? {} : current), ...record } as StorageRecord);
      }
    }
  }
  const userList = table === "hdb_user" ? [...after.values()] : [...users.scan()];
  const roleList = table === "hdb_role" ? [...after.values()] : [...roles.scan()];
  const superRoles = roleList.filter((r) => isObject(r["permission"] as JsonValue) && (r["permission"] as JsonObject)["super_user"] === true);
  const isSuper = (reference: unknown) => superRoles.some((r) => r["id"] === reference || r["role"] === reference);
  if (!userList.some((user) => user["active"] !== false && isSuper(user["role"]))) {
    throw new ConnectError("This change would leave no active super user; it is refused so that the server stays administrable", Code.FailedPrecondition);
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
