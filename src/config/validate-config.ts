import { isAbsolute, join, resolve } from "node:path";
import { ConfigError, invalidValue } from "./config-error.js";
import { createDefaultConfig, DEFAULT_AUTH_CACHE_TTL_MS, DEFAULT_LIMITS, DEFAULT_MAX_REQUEST_BODY_SIZE } from "./default-config.js";
import { getPath, isConfigTree, treePaths } from "./config-tree.js";
import type { ConfigTree, ConfigValue } from "./config-tree.js";
import { isDuration, parseDuration } from "./parse-duration.js";
import { parseByteSize } from "./parse-byte-size.js";

/** Harper's log levels, most severe first (spec system-config-logs §6.1). */
export const LOG_LEVELS = ["notify", "fatal", "error", "warn", "info", "debug", "trace"] as const;

/** One of Harper's log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The password hash functions Harper's `authentication.hashFunction` accepts. */
export const HASH_FUNCTIONS = ["md5", "sha256", "argon2id"] as const;

/** The certificate files for TLS, `operationsApi.tls` if set, else `tls`. */
export interface TlsPaths {
  certificate: string;
  privateKey: string;
  certificateAuthority: string | null;
}

/** The values the server uses, typed and checked; absolute paths, sizes in bytes. */
export interface ConfigSettings {
  rootPath: string;
  /**
   * Plain HTTP/h2c port of the Operations API; 0 = any free port. Always set: harper-ops always
   * serves the plain port, so a null `operationsApi.network.port` is refused at load.
   */
  port: number;
  /** TLS port of the Operations API, or null; 0 = any free port. */
  securePort: number | null;
  /** Address to bind (harper-ops addition `operationsApi.network.host`); undefined = all. */
  host: string | undefined;
  cors: boolean;
  /** Origins allowed by CORS; `*` allows any. */
  corsAccessList: string[];
  /** Largest request body read, in bytes. */
  maxRequestBodySize: number;
  /** Socket timeouts in milliseconds. */
  timeout: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  authorizeLocal: boolean;
  enableSessions: boolean;
  /** Lifetime of an operation token (`authentication.operationTokenTimeout`), in seconds. */
  operationTokenSeconds: number;
  /** Lifetime of a refresh token (`authentication.refreshTokenTimeout`), in seconds. */
  refreshTokenSeconds: number;
  /**
   * How long a successful Basic verification is remembered (`authentication.cacheTTL`), in
   * milliseconds; 0 remembers nothing.
   */
  authCacheTtlMs: number;
  hashFunction: (typeof HASH_FUNCTIONS)[number] | undefined;
  logLevel: LogLevel;
  auditLog: boolean;
  /** How long audit log entries are kept (`logging.auditRetention`), in milliseconds. */
  auditRetentionMs: number;
  auditAuthEvents: { logFailed: boolean; logSuccessful: boolean };
  logRoot: string;
  /** `<logRoot>/hdb.log`. */
  logFile: string;
  logToFile: boolean;
  /** logging.rotation: sizes in bytes, the interval in milliseconds, the folder absolute. */
  logRotation: { enabled: boolean; compress: boolean; maxSize?: number; intervalMs?: number; path: string };
  logToStdStreams: boolean;
  storagePath: string;
  componentsRoot: string;
  /** `<root>/keys`: TLS and JWT keys. */
  keysDir: string;
  tls: TlsPaths;
  threads: number;
  bulk: BulkSettings;
  /** `operationsApi.limits`: what one request may ask of the server. */
  limits: LimitSettings;
}

/** The request limits (`operationsApi.limits`, see DEFAULT_LIMITS), positive integers. */
export type LimitSettings = { readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** Where bulk loads and exports may read and write, and how they reach S3 and URLs. */
export interface BulkSettings {
  /** Absolute folders super users may read (csv_file_load) and write (export_local). */
  superUserPaths: string[];
  /** Absolute folders other users may read with csv_file_load. */
  userPaths: string[];
  /** An S3-compatible endpoint URL for import_from_s3 and export_to_s3; AWS when undefined. */
  s3Endpoint: string | undefined;
  s3ForcePathStyle: boolean;
  /** Milliseconds a CSV download may take. */
  urlTimeout: number;
}

const templates = createDefaultConfig("/");
const templateLeaves = treePaths(templates).filter((path) => !isConfigTree(getPath(templates, path)));
const durationKeys = ["authentication.operationTokenTimeout", "authentication.refreshTokenTimeout", "logging.auditRetention"];
/**
 * Keys whose default is a boolean but which Harper also accepts as a mapping of sub-keys
 * (`http.mtls.required`, `storage.compression.threshold`, `threads.debug.port`).
 */
const booleanOrMappingKeys = ["http.mtls", "storage.compression", "threads.debug"];
/** Sections (mappings in the defaults) that Harper also accepts as a list: several certificates. */
const listSections = ["tls"];
const templateSections = treePaths(templates).filter((path) => isConfigTree(getPath(templates, path)));
const pathKeys = ["componentsRoot", "logging.root", "logging.rotation.path", "storage.path", "operationsApi.network.domainSocket"];

/**
 * Checks the merged configuration and returns the typed view the server uses. Throws a
 * ConfigError naming the first key whose value is unusable: a section of the defaults that is not a
 * mapping, a port that is not an integer from 0 to 65535 (or null), a null
 * `operationsApi.network.port` (harper-ops always serves the plain port), a log level outside
 * LOG_LEVELS, a non-boolean where the default is a boolean, a negative or non-numeric timeout or
 * `authentication.cacheTTL`, a duration that parseDuration refuses. Durations are parsed here,
 * once: the settings carry them as numbers with their unit in the name.
 */
export function validateConfig(raw: ConfigTree, rootPath: string): ConfigSettings {
  for (const path of templateSections) checkSection(raw, path);
  for (const path of templateLeaves) checkLikeDefault(raw, path);
  for (const path of treePaths(raw)) {
    const last = path.slice(path.lastIndexOf(".") + 1);
    if (last === "port" || last === "securePort") checkPort(path, getPath(raw, path));
  }
  const level = getPath(raw, "logging.level");
  if (!LOG_LEVELS.includes(level as LogLevel)) throw invalidValue("logging.level", `one of ${LOG_LEVELS.join(", ")}`, level);
  for (const key of durationKeys) {
    const value = getPath(raw, key);
    if (!isDuration(value)) throw invalidValue(key, 'a duration like "1d", "30m", "2h", "45s" or a number of seconds', value);
  }
  const threads = getPath(raw, "threads.count");
  if (!Number.isInteger(threads) || (threads as number) < 1 || (threads as number) > 1000) {
    throw invalidValue("threads.count", "an integer from 1 to 1000", threads);
  }
  const hash = getPath(raw, "authentication.hashFunction");
  if (hash !== undefined && hash !== null && !HASH_FUNCTIONS.includes(hash as never)) {
    throw invalidValue("authentication.hashFunction", `one of ${HASH_FUNCTIONS.join(", ")}`, hash);
  }
  checkRotation(raw);
  const port = getPath(raw, "operationsApi.network.port");
  if (typeof port !== "number") {
    // checkPort let through only null or nothing: the listener always needs the plain port.
    throw invalidValue("operationsApi.network.port", "set to a port number from 0 to 65535: harper-ops always serves the plain port", port);
  }
  const securePort = (getPath(raw, "operationsApi.network.securePort") ?? null) as number | null;
  if (port !== 0 && port === securePort) {
    throw new ConfigError("Invalid configuration: operationsApi.network.port and operationsApi.network.securePort cannot be the same value", "operationsApi.network.securePort");
  }
  return settingsOf(raw, rootPath, port, securePort);
}

function settingsOf(raw: ConfigTree, rootPath: string, port: number, securePort: number | null): ConfigSettings {
  const get = (path: string) => getPath(raw, path);
  const filePath = (key: string, fallback: string) => pathValue(raw, key, rootPath) ?? join(rootPath, fallback);
  const host = get("operationsApi.network.host");
  if (host !== undefined && host !== null && (typeof host !== "string" || host.trim() === "")) {
    throw invalidValue("operationsApi.network.host", "an address to listen on, like 127.0.0.1", host);
  }
  const bodySize = get("operationsApi.network.maxRequestBodySize");
  const logRoot = filePath("logging.root", "log");
  const keysDir = join(rootPath, "keys");
  return {
    rootPath,
    port,
    securePort,
    host: typeof host === "string" ? host.trim() : undefined,
    cors: get("operationsApi.network.cors") as boolean,
    corsAccessList: corsList(get("operationsApi.network.corsAccessList")),
    maxRequestBodySize: bodySize === undefined || bodySize === null
      ? DEFAULT_MAX_REQUEST_BODY_SIZE
      : parseByteSize(bodySize, "operationsApi.network.maxRequestBodySize"),
    timeout: get("operationsApi.network.timeout") as number,
    keepAliveTimeout: get("operationsApi.network.keepAliveTimeout") as number,
    headersTimeout: get("operationsApi.network.headersTimeout") as number,
    authorizeLocal: get("authentication.authorizeLocal") as boolean,
    enableSessions: get("authentication.enableSessions") as boolean,
    operationTokenSeconds: durationSeconds(raw, "authentication.operationTokenTimeout"),
    refreshTokenSeconds: durationSeconds(raw, "authentication.refreshTokenTimeout"),
    authCacheTtlMs: (get("authentication.cacheTTL") ?? DEFAULT_AUTH_CACHE_TTL_MS) as number,
    hashFunction: (get("authentication.hashFunction") ?? undefined) as ConfigSettings["hashFunction"],
    logLevel: get("logging.level") as LogLevel,
    auditLog: get("logging.auditLog") as boolean,
    auditRetentionMs: durationSeconds(raw, "logging.auditRetention") * 1000,
    auditAuthEvents: {
      logFailed: get("logging.auditAuthEvents.logFailed") as boolean,
      logSuccessful: get("logging.auditAuthEvents.logSuccessful") as boolean,
    },
    logRoot,
    logFile: join(logRoot, "hdb.log"),
    logToFile: get("logging.file") as boolean,
    logRotation: rotationSettings(raw, rootPath, logRoot),
    logToStdStreams: get("logging.stdStreams") as boolean,
    storagePath: filePath("storage.path", "database"),
    componentsRoot: filePath("componentsRoot", "components"),
    keysDir,
    tls: tlsPaths(raw, rootPath, keysDir),
    threads: get("threads.count") as number,
    bulk: bulkSettings(raw, rootPath),
    limits: limitSettings(raw),
  };
}

function bulkSettings(raw: ConfigTree, rootPath: string): BulkSettings {
  const folders = (key: string): string[] => {
    const value = getPath(raw, key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) throw invalidValue(key, "a list of folders", value);
    return (value as string[]).map((folder) => (isAbsolute(folder) ? folder : resolve(rootPath, folder)));
  };
  const endpoint = getPath(raw, "bulk.s3Endpoint");
  if (endpoint !== undefined && endpoint !== null && (typeof endpoint !== "string" || !/^https?:\/\/./.test(endpoint))) {
    throw invalidValue("bulk.s3Endpoint", "an http(s) URL or null", endpoint);
  }
  return {
    superUserPaths: folders("bulk.superUserPaths"),
    userPaths: folders("bulk.userPaths"),
    s3Endpoint: typeof endpoint === "string" ? endpoint : undefined,
    s3ForcePathStyle: getPath(raw, "bulk.s3ForcePathStyle") === true,
    urlTimeout: (getPath(raw, "bulk.urlTimeout") as number | undefined) ?? 30000,
  };
}

function limitSettings(raw: ConfigTree): LimitSettings {
  const limits: Record<string, number> = {};
  for (const [name, fallback] of Object.entries(DEFAULT_LIMITS)) {
    const key = `operationsApi.limits.${name}`;
    const value = getPath(raw, key) ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw invalidValue(key, "a positive integer", value);
    limits[name] = value;
  }
  return limits as LimitSettings;
}

/** A duration key, already checked by isDuration, in seconds. */
function durationSeconds(raw: ConfigTree, key: string): number {
  return parseDuration(getPath(raw, key) as string | number, key);
}

/**
 * A section that is a mapping in the defaults (`operationsApi`, `operationsApi.network`,
 * `authentication`, ...) must still be one: a scalar, a list or an empty (null) section would hide
 * every key below it, and the checks of those keys would name the wrong key or none.
 */
function checkSection(raw: ConfigTree, path: string): void {
  const value = getPath(raw, path);
  if (value === undefined || isConfigTree(value)) return; // undefined: a parent is already refused.
  if (Array.isArray(value) && listSections.includes(path)) return;
  throw invalidValue(path, listSections.includes(path) ? "a mapping of keys or a list of them" : "a mapping of keys", value);
}

/**
 * A key whose default is a boolean or a number must hold the same kind (ports are checked apart).
 * Such a key is missing only when its section was replaced (`operationsApi: 5` in the file, then
 * `--OPERATIONSAPI_NETWORK_PORT` made a new section without the other keys): that is refused too.
 */
function checkLikeDefault(raw: ConfigTree, path: string): void {
  const template = getPath(templates, path);
  const value = getPath(raw, path);
  if (path.endsWith(".port") || path.endsWith(".securePort")) return;
  if (value === undefined) {
    if (typeof template === "boolean") throw invalidValue(path, "true or false", value);
    if (typeof template === "number") throw invalidValue(path, "a number greater than or equal to 0", value);
    return;
  }
  if (typeof template === "boolean" && typeof value !== "boolean") {
    if (booleanOrMappingKeys.includes(path) && isConfigTree(value)) return;
    throw invalidValue(path, booleanOrMappingKeys.includes(path) ? "true, false or a mapping of keys" : "true or false", value);
  }
  if (typeof template === "number" && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
    throw invalidValue(path, "a number greater than or equal to 0", value);
  }
  if (typeof template === "string" && pathKeys.includes(path) && value !== null && (typeof value !== "string" || value === "")) {
    throw invalidValue(path, "a path", value);
  }
}

function checkPort(path: string, value: ConfigValue | undefined): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
    throw invalidValue(path, "an integer port number (0-65535) or null", value);
  }
}

function rotationSettings(raw: ConfigTree, rootPath: string, logRoot: string): ConfigSettings["logRotation"] {
  const maxSize = getPath(raw, "logging.rotation.maxSize");
  const interval = getPath(raw, "logging.rotation.interval");
  const units: Record<string, number> = { D: 86_400_000, H: 3_600_000, M: 60_000 };
  const intervalMs = typeof interval === "string" ? Number(interval.slice(0, -1)) * units[interval.slice(-1).toUpperCase()]! : undefined;
  return {
    enabled: getPath(raw, "logging.rotation.enabled") !== false,
    compress: getPath(raw, "logging.rotation.compress") === true,
    maxSize: typeof maxSize === "string" ? parseByteSize(maxSize, "logging.rotation.maxSize") : undefined,
    intervalMs: intervalMs && intervalMs > 0 ? intervalMs : undefined,
    path: pathValue(raw, "logging.rotation.path", rootPath) ?? logRoot,
  };
}

function checkRotation(raw: ConfigTree): void {
  const maxSize = getPath(raw, "logging.rotation.maxSize");
  if (maxSize !== undefined && maxSize !== null && !(typeof maxSize === "string" && /^\d+[KMG]$/i.test(maxSize))) {
    throw invalidValue("logging.rotation.maxSize", 'a number followed by a unit K, M or G, like "64M", or null', maxSize);
  }
  const interval = getPath(raw, "logging.rotation.interval");
  if (interval !== undefined && interval !== null && !(typeof interval === "string" && /^\d+[DHM]$/i.test(interval))) {
    throw invalidValue("logging.rotation.interval", 'a number followed by a unit D, H or M (minutes), like "1D", or null', interval);
  }
}

function corsList(value: ConfigValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((origin) => origin !== null && typeof origin !== "string")) {
    throw invalidValue("operationsApi.network.corsAccessList", "a list of origins", value);
  }
  // Harper's production template writes [null] for "no origin".
  return value.filter((origin): origin is string => typeof origin === "string");
}

/** A path-valued key, resolved against the root when relative; undefined when null or absent. */
function pathValue(tree: ConfigTree, key: string, rootPath: string, label = key): string | undefined {
  const value = getPath(tree, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") throw invalidValue(label, "a path", value);
  return isAbsolute(value) ? value : resolve(rootPath, value);
}

function tlsPaths(raw: ConfigTree, rootPath: string, keysDir: string): TlsPaths {
  const section = (key: string): ConfigTree | undefined => {
    let value = getPath(raw, key);
    if (Array.isArray(value)) value = value[0]; // Harper allows a list of certificates; the first serves.
    return isConfigTree(value) ? value : undefined;
  };
  const sections: Array<[string, ConfigTree | undefined]> = [["operationsApi.tls", section("operationsApi.tls")], ["tls", section("tls")]];
  const file = (name: string): string | undefined => {
    for (const [prefix, tree] of sections) {
      const found = tree && pathValue(tree, name, rootPath, `${prefix}.${name}`);
      if (found) return found;
    }
    return undefined;
  };
  return {
    certificate: file("certificate") ?? join(keysDir, "certificate.pem"),
    privateKey: file("privateKey") ?? join(keysDir, "privateKey.pem"),
    certificateAuthority: file("certificateAuthority") ?? null,
  };
}
