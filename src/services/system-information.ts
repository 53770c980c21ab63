import { performance } from "node:perf_hooks";
import { threadId } from "node:worker_threads";
import type { EventLoopUtilization } from "node:perf_hooks";
import { create, fromJson } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ListValueSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import si from "systeminformation";
import { SystemInformationOsSchema } from "../../gen/harper/v1/system_service_pb.js";
import type { SystemService, SystemInformationOs } from "../../gen/harper/v1/system_service_pb.js";
import { systemDatabase } from "../storage/index.js";
import type { Storage } from "../storage/index.js";

/** What system_information reads. */
export interface SystemInformationDeps {
  storage: Storage;
}

/** The system_information operation of SystemService. */
export type SystemInformationOperations = Pick<ServiceImpl<typeof SystemService>, "systemInformation">;

const sections = [
  "system",
  "time",
  "cpu",
  "memory",
  "disk",
  "network",
  "harperdb_processes",
  "table_size",
  "metrics",
  "threads",
  "replication",
] as const;
type Section = (typeof sections)[number];

/**
 * system_information (spec system-config-logs.md §4): host facts from the systeminformation
 * package, this process's memory and event loop, and the storage's counts and LMDB statistics.
 * `disk` and `network` keep Harper's defaults (their sysInfo settings are not configurable here)
 * and `replication` is never defined (no NATS clustering). Sections print in the response's field
 * order: Harper's for system..harperdb_processes, then table_size, metrics, threads (Harper prints
 * those in the order requested).
 */
export function createSystemInformationService(deps: SystemInformationDeps): SystemInformationOperations {
  let os: Promise<SystemInformationOs> | undefined;
  let lastUtilization: EventLoopUtilization | undefined;
  let lastThreadsCall = performance.now();

  const system = (): Promise<SystemInformationOs> =>
    (os ??= Promise.all([si.osInfo(), si.versions("node, npm")]).then(
      ([info, versions]) =>
        create(SystemInformationOsSchema, {
          platform: info.platform,
          distro: info.distro,
          release: info.release,
          codename: info.codename,
          kernel: info.kernel,
          arch: info.arch,
          hostname: info.hostname,
          fqdn: info.fqdn,
          nodeVersion: versions.node || process.versions.node,
          npmVersion: versions.npm ?? "",
        }),
      (error: unknown) => {
        os = undefined;
        throw error;
      },
    ));

  const time = (): JsonObject => {
    const info = si.time();
    return { current: info.current, uptime: info.uptime, timezone: info.timezone, timezoneName: info.timezoneName };
  };

  const cpu = async (): Promise<JsonObject> => {
    const [facts, speed, load] = await Promise.all([si.cpu(), si.cpuCurrentSpeed(), si.currentLoad()]);
    const keys = ["manufacturer", "brand", "vendor", "speed", "speedMin", "speedMax", "cores", "physicalCores", "performanceCores", "efficiencyCores", "processors", "flags", "virtualization"];
    const picked = Object.fromEntries(keys.map((key) => [key, (facts as unknown as Record<string, unknown>)[key] ?? null]));
    return plain({ ...picked, cpu_speed: speed, current_load: load });
  };

  const memory = async (): Promise<JsonObject> => {
    const mem = await si.mem();
    const own = process.memoryUsage();
    return plain({
      total: mem.total,
      free: mem.free,
      used: mem.used,
      active: mem.active,
      available: mem.available,
      reclaimable: mem.reclaimable,
      swaptotal: mem.swaptotal,
      swapused: mem.swapused,
      swapfree: mem.swapfree,
      writeback: mem.writeback,
      dirty: mem.dirty,
      rss: own.rss,
      heapTotal: own.heapTotal,
      heapUsed: own.heapUsed,
      external: own.external,
      arrayBuffers: own.arrayBuffers,
    });
  };

  const processes = async () => {
    const all = await si.processes();
    const core = all.list.filter((p) => p.pid === process.pid).map((p) => plain(p as unknown as JsonObject));
    return { core, clustering: [] };
  };

  const tableSize = (): JsonValue[] => {
    const out: JsonValue[] = [];
    for (const database of deps.storage.databases()) {
      if (database === systemDatabase) continue;
      for (const info of deps.storage.tables(database)) {
        const table = deps.storage.table(database, info.name);
        if (!table) continue;
        const stats = table.stats();
        out.push({ schema: database, table: info.name, record_count: stats.recordCount, transaction_log_record_count: auditCount(database, info.name) });
      }
    }
    return out;
  };

  let metricsCache: ReturnType<Storage["environmentStats"]> | undefined;
  const auditCount = (database: string, table: string): number => {
    metricsCache ??= deps.storage.environmentStats();
    return metricsCache[database]?.auditEntries[table] ?? 0;
  };

  const threads = (): JsonValue[] => {
    const now = performance.now();
    const current = performance.eventLoopUtilization();
    const delta = lastUtilization ? performance.eventLoopUtilization(current, lastUtilization) : current;
    const sinceLastUpdate = now - lastThreadsCall;
    lastUtilization = current;
    lastThreadsCall = now;
    const own = process.memoryUsage();
    return [
      {
        threadId, // 0: the main thread answers every request here; Harper's http workers are 1..n
        name: "http",
        heapTotal: own.heapTotal,
        heapUsed: own.heapUsed,
        externalMemory: own.external,
        arrayBuffers: own.arrayBuffers,
        sinceLastUpdate: Math.round(sinceLastUpdate),
        idle: delta.idle,
        active: delta.active,
        utilization: delta.utilization,
      },
    ];
  };

  return {
    async systemInformation(request) {
      const asked = request.attributes.filter((name): name is Section | "database_metrics" => (sections as readonly string[]).includes(name) || name === "database_metrics");
      const wanted = new Set<Section>(
        request.attributes.length === 0 ? sections : asked.map((name) => (name === "database_metrics" ? "metrics" : name)),
      );
      metricsCache = undefined;
      const [systemSection, cpuSection, memorySection, processSection] = await Promise.all([
        wanted.has("system") ? system() : undefined,
        wanted.has("cpu") ? cpu() : undefined,
        wanted.has("memory") ? memory() : undefined,
        wanted.has("harperdb_processes") ? processes() : undefined,
      ]);
      const metrics = wanted.has("metrics") ? (metricsCache ??= deps.storage.environmentStats()) : undefined;
      return {
        ...(systemSection ? { system: systemSection } : {}),
        ...(wanted.has("time") ? { time: time() } : {}),
        ...(cpuSection ? { cpu: cpuSection } : {}),
        ...(memorySection ? { memory: memorySection } : {}),
        ...(wanted.has("disk") ? { disk: {} } : {}),
        ...(wanted.has("network") ? { network: { default_interface: null, latency: {}, interfaces: [], stats: [], connections: [] } } : {}),
        ...(processSection ? { harperdbProcesses: processSection } : {}),
        ...(wanted.has("table_size") ? { tableSize: fromJson(ListValueSchema, tableSize()) } : {}),
        ...(metrics ? { metrics: printedMetrics(metrics) } : {}),
        ...(wanted.has("threads") ? { threads: fromJson(ListValueSchema, threads()) } : {}),
      };
    },
  };
}

/** A JSON copy: drops undefined values and functions that a Struct cannot hold. */
function plain<T>(value: T): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** The `metrics` section: each database's statistics without the per-table audit counts table_size uses. */
function printedMetrics(metrics: ReturnType<Storage["environmentStats"]>): JsonObject {
  const out: JsonObject = {};
  for (const [database, { auditEntries: _auditEntries, ...stats }] of Object.entries(metrics)) out[database] = plain(stats);
  return out;
}
