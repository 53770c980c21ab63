import type { JsonObject } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { SystemService } from "../../gen/harper/v1/system_service_pb.js";
import { systemDatabase } from "../storage/index.js";
import type { Storage, StorageRecord } from "../storage/index.js";
import { invalid, translating } from "./storage-errors.js";

/** The status records set_status may write (spec system-config-logs.md §5.1). */
const statusIds = ["primary", "maintenance", "availability"];
const availabilityValues = ["Available", "Unavailable"];
const maxStatusLength = 512;

/** One part of the server as get_status reports it (`componentStatus`). */
export interface ComponentHealth {
  name: string;
  status: "healthy" | "warning" | "error" | "unknown" | "loading";
}

/** What the status operations need. */
export interface StatusServiceDeps {
  storage: Storage;
  /** The parts of this server and their health, asked at each get_status without `id`. */
  components: () => readonly ComponentHealth[];
  /** Whether a change waits for a restart (set by set_configuration once it is built). */
  restartRequired: () => boolean;
}

/** The status operations of SystemService. */
export type StatusOperations = Pick<ServiceImpl<typeof SystemService>, "setStatus" | "getStatus" | "clearStatus">;

/**
 * set_status, get_status and clear_status (spec system-config-logs.md §5) over
 * `system.hdb_status`, persisted as HarperDB 4.7.29 persists it. Messages recorded from the peer:
 * every problem of a set_status is reported, joined by ". " (`'id' must be one of [primary,
 * maintenance, availability]. 'status' is required`).
 */
export function createStatusService(deps: StatusServiceDeps): StatusOperations {
  const table = () => deps.storage.requireTable(systemDatabase, "hdb_status");
  return {
    async setStatus(request) {
      const id = request.id ?? "primary";
      const status = request.status;
      const problems: string[] = [];
      if (!statusIds.includes(id)) problems.push(`'id' must be one of [${statusIds.join(", ")}]`);
      if (id === "") problems.push("'id' is not allowed to be empty");
      if (status === undefined) problems.push("'status' is required");
      else if (status === "") problems.push("'status' is not allowed to be empty");
      else if (status.length > maxStatusLength) problems.push(`'status' length must be less than or equal to ${maxStatusLength} characters long`);
      if (problems.length) throw invalid(problems.join(". "));
      if (id === "availability" && !availabilityValues.includes(status!)) {
        throw invalid(`Status "availability" only accepts these values: ${availabilityValues.join(", ")}`);
      }
      await translating(() => table().write("upsert", [{ id, status: status! }]));
      return {};
    },

    getStatus(request) {
      if (request.id !== undefined && request.id !== "") {
        const record = table().get(request.id);
        return { status: (record ?? {}) as JsonObject };
      }
      const checked = Date.now();
      const overview = {
        systemStatus: [...table().scan()].map((record: StorageRecord) => record as JsonObject),
        componentStatus: deps.components().map(({ name, status }) => ({
          name,
          componentName: name,
          status,
          lastChecked: { workers: { "0": checked }, main: checked },
        })),
        restartRequired: deps.restartRequired(),
      };
      return { status: overview as JsonObject };
    },

    async clearStatus(request) {
      if (request.id !== undefined && request.id !== "") await translating(() => table().deleteRecords([request.id!]));
      return { message: true };
    },
  };
}
