import { createDefaultConfig } from "./default-config.js";
import { getPath, isConfigTree, treePaths } from "./config-tree.js";

/** Where a flattened name (`OPERATIONSAPI_NETWORK_PORT`, `LOG_LEVEL`) lands in the config tree. */
export interface ResolvedConfigKey {
  /** The dotted camelCase path, `operationsApi.network.port`. */
  path: string;
  /** True for a legacy alias whose boolean means the opposite (`disable_transaction_log`). */
  invert: boolean;
  /** True when the name was a legacy alias rather than the flattened path itself. */
  alias: boolean;
}

/** Expands `prefix` with comma-separated sub-paths: ("http", "port,securePort") -> http.port, http.securePort. */
function under(prefix: string, keys: string): string[] {
  return keys.split(",").map((key) => `${prefix}.${key.trim()}`);
}

const certificateVerification = [
  "", ".failureMode", ".crl", ".crl.cacheTtl", ".crl.failureMode", ".crl.gracePeriod", ".crl.timeout",
  ".ocsp", ".ocsp.cacheTtl", ".ocsp.errorCacheTtl", ".ocsp.failureMode", ".ocsp.timeout",
].map((suffix) => `certificateVerification${suffix}`).join(",");

/**
 * The keys Harper 4.7.29 recognises by flattened name (its `CONFIG_PARAMS`, spec
 * system-config-logs §2.3), plus `operationsApi.network.host`, a harper-ops addition that binds
 * the Operations API to one address, and the harper-ops `bulk` and `operationsApi.limits` sections. `threads` alone is the legacy alias of `threads.count`.
 */
const recognizedPaths: readonly string[] = [
  ...under("analytics", "aggregatePeriod,replicate"),
  ...under("bulk", "superUserPaths,userPaths,s3Endpoint,s3ForcePathStyle,urlTimeout"),
  ...under("authentication", "authorizeLocal,cacheTTL,cookie.domains,cookie.expires,enableSessions,hashFunction,operationTokenTimeout,refreshTokenTimeout"),
  ...under("clustering", "enabled,databaseLevel,hubServer.cluster.name,hubServer.cluster.network.port,hubServer.cluster.network.routes,hubServer.leafNodes.network.port,hubServer.network.port,leafServer.network.port,leafServer.network.routes,logLevel,nodeName,republishMessages,user"),
  ...under("clustering.leafServer.streams", "maxAge,maxBytes,maxConsumeMsgs,maxIngestThreads,maxMsgs,path"),
  ...under("clustering.tls", "certificate,certificateAuthority,insecure,privateKey,verify"),
  "componentsRoot",
  ...under("customFunctions", "network.https,nodeEnv,root"),
  "databases",
  ...under("http", "compressionThreshold,cors,corsAccessControlAllowHeaders,corsAccessList,headersTimeout,keepAliveTimeout,maxHeaderSize,maxParamLength,maxRequestBodySize,port,securePort,requestQueueLimit,sessionAffinity,threadRange,timeout,mtls"),
  ...under("http.mtls", `required,user,${certificateVerification}`),
  "ignoreScripts",
  ...under("license", "mode,region"),
  "localStudio.enabled",
  ...under("logging", "auditAuthEvents.logFailed,auditAuthEvents.logSuccessful,auditLog,auditRetention,colors,console,file,level,root,stdStreams"),
  ...under("logging.external", "level,path,tag"),
  ...under("logging.rotation", "compress,enabled,interval,maxSize,path,retention"),
  ...under("mqtt.network", "port,securePort,mtls,mtls.certificateAuthority,mtls.required,mtls.user"),
  ...under("mqtt", "requireAuthentication,webSocket"),
  ...under("operationsApi.limits", "jsonDepth,sqlLength,sqlDepth,sqlColumns,sqlParseMs,conditions,http2MaxStreams,http2SessionMemory"),
  ...under("operationsApi.network", "cors,corsAccessList,domainSocket,headersTimeout,host,https,keepAliveTimeout,maxRequestBodySize,port,securePort,timeout"),
  ...under("operationsApi", "sysInfo.disk,sysInfo.network,tls,tls.certificate,tls.certificateAuthority,tls.privateKey"),
  ...under("replication", "blobConcurrency,blobTimeout,databases,enableRootCAs,failOver,hostname,maxPayload,port,recordConcurrency,routes,securePort,shard,url"),
  ...under("replication.mtls", certificateVerification),
  "rootPath",
  "serialization.bigInt",
  ...under("storage", "audit.path,blobCleanupSpeed,blobPaths,caching,compactOnStart,compactOnStartKeepBackup,compression,compression.dictionary,compression.threshold,debugLongTransactions,encryption,maxFreeSpaceToLoad,maxFreeSpaceToRetain,maxTransactionOpenTime,maxTransactionQueueTime,noReadAhead,overlappingSync,pageSize,path,prefetchWrites,reclamation.evictionFactor,reclamation.interval,reclamation.threshold,writeAsync"),
  ...under("threads", "count,debug,debug.host,debug.port,debug.startingPort,debug.waitForDebugger,heapSnapshotNearLimit,maxHeapMemory"),
  "tls",
  ...under("tls", "certificate,certificateAuthority,ciphers,privateKey"),
];

/**
 * Harper's legacy (3.x and early 4.x) names, spec system-config-logs §2.2, each also accepted
 * with a `_key` suffix. `disable_transaction_log` is stored inverted into `logging.auditLog`.
 */
const legacyAliases: ReadonlyMap<string, string> = new Map(Object.entries({
  hdb_root: "rootPath",
  operationsapi_root: "rootPath",
  server_port: "operationsApi.network.port",
  certificate: "tls.certificate",
  private_key: "tls.privateKey",
  https_on: "operationsApi.network.https",
  cors_on: "operationsApi.network.cors",
  cors_whitelist: "operationsApi.network.corsAccessList",
  cors_accesslist: "operationsApi.network.corsAccessList",
  log_level: "logging.level",
  log_path: "logging.root",
  node_name: "clustering.nodeName",
  clustering: "clustering.enabled",
  max_http_threads: "threads.count",
  max_hdb_processes: "threads.count",
  http_threads: "threads.count",
  threads: "threads.count",
  server_timeout_ms: "operationsApi.network.timeout",
  server_keep_alive_timeout: "operationsApi.network.keepAliveTimeout",
  server_headers_timeout: "operationsApi.network.headersTimeout",
  disable_transaction_log: "logging.auditLog",
  operation_token_timeout: "authentication.operationTokenTimeout",
  refresh_token_timeout: "authentication.refreshTokenTimeout",
  custom_functions_port: "http.port",
  customfunctions_network_port: "http.port",
  custom_functions_directory: "componentsRoot",
  customfunctions_root: "componentsRoot",
  log_to_file: "logging.file",
  log_to_stdstreams: "logging.stdStreams",
  local_studio_on: "localStudio.enabled",
  clustering_port: "clustering.hubServer.cluster.network.port",
}));

const invertedAliases = new Set(["disable_transaction_log"]);

/** Flattened lower-case name -> dotted path, for the recognised keys and every leaf of the defaults. */
const canonical: ReadonlyMap<string, string> = (() => {
  const defaults = createDefaultConfig("/");
  const leaves = treePaths(defaults).filter((path) => !isConfigTree(getPath(defaults, path)));
  const map = new Map<string, string>();
  for (const path of [...recognizedPaths, ...leaves]) map.set(flatten(path), path);
  return map;
})();

/** The flattened form of a dotted path: `operationsApi.network.port` -> `operationsapi_network_port`. */
export function flatten(path: string): string {
  return path.replaceAll(".", "_").toLowerCase();
}

/**
 * Resolves a flattened configuration name, in any case, to its place in the config tree, the way
 * Harper reads environment variables, `--NAME value` arguments and set_configuration keys:
 * `OPERATIONSAPI_NETWORK_PORT`, `operationsApi_network_port` and `operationsapi_network_port` are
 * all `operationsApi.network.port`; legacy aliases (`HDB_ROOT`, `SERVER_PORT`, `LOG_LEVEL`, ...)
 * come after the canonical names. Returns undefined for a name that is no config key.
 */
export function resolveConfigKey(name: string): ResolvedConfigKey | undefined {
  const lower = name.toLowerCase();
  const path = canonical.get(lower);
  if (path !== undefined) return { path, invert: false, alias: false };
  for (const candidate of [lower, lower.endsWith("_key") ? lower.slice(0, -4) : undefined]) {
    if (candidate === undefined) continue;
    const target = legacyAliases.get(candidate);
    if (target !== undefined) return { path: target, invert: invertedAliases.has(candidate), alias: true };
  }
  return undefined;
}
