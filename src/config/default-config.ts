import { join } from "node:path";
import type { ConfigTree } from "./config-tree.js";

/** The port of the Operations API when the configuration names none (Harper's, plain HTTP). */
export const DEFAULT_OPERATIONS_PORT = 9925;

/**
 * Harper's default for `authentication.cacheTTL`: how long, in milliseconds, a successful Basic
 * verification is remembered before the password is checked again.
 */
export const DEFAULT_AUTH_CACHE_TTL_MS = 30_000;

/**
 * Harper's default for the largest request body the Operations API reads (its operations server
 * sets a 1 GB body limit), used when `operationsApi.network.maxRequestBodySize` is not set.
 */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 1024 * 1024 * 1024;

/**
 * The configuration that harper-ops writes to `<root>/harperdb-config.yaml` on first start.
 *
 * It keeps the key names, nesting and order of Harper 4.7's own file (spec system-config-logs
 * §1.3, §2.1) so that `get_configuration` returns what a Harper client expects, and is the
 * development profile of Harper's installer with one change for safety:
 * - `operationsApi.network.port` 9925 in plain HTTP, `securePort` null;
 * - `authentication.authorizeLocal` false (Harper's dev install says true): loopback requests
 *   authenticate like any other;
 * - `logging.level` info, to the file `<root>/log/hdb.log` and to stdout/stderr;
 * - CORS on for every origin, as Harper's dev install;
 * - paths absolute under the root: `database/`, `log/`, `components/`, `keys/`;
 * - `operationsApi.limits` (a harper-ops addition): how much one request may ask of the server
 *   (see DEFAULT_LIMITS);
 * - `bulk` (a harper-ops addition): the server folders bulk loads and exports may touch
 *   (`superUserPaths` for super users, everywhere by default as in Harper; `userPaths` for the
 *   others, none by default), an S3-compatible endpoint for the S3 operations, and the time limit
 *   of a CSV download in milliseconds.
 * Sections for features harper-ops does not serve (MQTT, the HTTP component server) are kept
 * where Harper's validator requires them and left out otherwise.
 */
/**
 * The request limits of `operationsApi.limits`, each answered with a 4xx naming the limit:
 * - `jsonDepth`: nesting depth of a JSON body (objects and arrays);
 * - `sqlLength`: characters of one SQL statement; `sqlDepth`: parentheses nested in it;
 *   `sqlColumns`: expressions in its select list; `sqlParseMs`: time its parse may take;
 * - `conditions`: search conditions of one search_by_conditions, nested groups included;
 * - `http2MaxStreams`: concurrent streams of one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS);
 * - `http2SessionMemory`: megabytes one HTTP/2 connection may buffer before it is refused streams.
 * The body size limit is Harper's own `operationsApi.network.maxRequestBodySize`, on every protocol.
 */
export const DEFAULT_LIMITS = Object.freeze({
  jsonDepth: 100,
  sqlLength: 262_144,
  sqlDepth: 100,
  sqlColumns: 1000,
  sqlParseMs: 2000,
  conditions: 1000,
  http2MaxStreams: 100,
  http2SessionMemory: 10,
});

export function createDefaultConfig(rootPath: string): ConfigTree {
  const logRoot = join(rootPath, "log");
  const keysDir = join(rootPath, "keys");
  return {
    http: {
      compressionThreshold: 0,
      cors: true,
      corsAccessList: ["*"],
      keepAliveTimeout: 30000,
      port: 9926,
      securePort: null,
      mtls: false,
      http2: false,
      timeout: 120000,
    },
    threads: { count: 1, debug: false },
    bulk: {
      superUserPaths: ["/"],
      userPaths: [],
      s3Endpoint: null,
      s3ForcePathStyle: false,
      urlTimeout: 30000,
    },
    authentication: {
      authorizeLocal: false,
      cacheTTL: DEFAULT_AUTH_CACHE_TTL_MS,
      enableSessions: true,
      operationTokenTimeout: "1d",
      refreshTokenTimeout: "30d",
    },
    analytics: { aggregatePeriod: 60, replicate: false },
    replication: {
      securePort: 9933,
      enableRootCAs: true,
      hostname: "localhost",
      databases: "*",
      routes: null,
    },
    componentsRoot: join(rootPath, "components"),
    localStudio: { enabled: false },
    logging: {
      auditAuthEvents: { logFailed: false, logSuccessful: false },
      auditLog: true,
      auditRetention: "3d",
      file: true,
      level: "info",
      root: logRoot,
      rotation: { enabled: true, compress: false, interval: null, maxSize: "64M", path: logRoot },
      stdStreams: true,
    },
    operationsApi: {
      network: {
        cors: true,
        corsAccessList: ["*"],
        domainSocket: join(rootPath, "operations-server"),
        headersTimeout: 60000,
        keepAliveTimeout: 30000,
        port: DEFAULT_OPERATIONS_PORT,
        securePort: null,
        timeout: 120000,
      },
      limits: { ...DEFAULT_LIMITS },
    },
    rootPath,
    storage: {
      writeAsync: false,
      caching: true,
      compression: true,
      noReadAhead: false,
      path: join(rootPath, "database"),
      prefetchWrites: true,
    },
    tls: {
      certificate: join(keysDir, "certificate.pem"),
      certificateAuthority: join(keysDir, "ca.pem"),
      privateKey: join(keysDir, "privateKey.pem"),
    },
  };
}
