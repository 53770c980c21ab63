/**
 * The configuration of harper-ops: `<root>/harperdb-config.yaml` in Harper 4.7's layout, written
 * with defaults on first start, overridden by environment variables and `--KEY value` arguments
 * in Harper's flattened-key convention, validated into the typed settings the server uses.
 */
export { loadConfig, parseConfigYaml, CONFIG_FILE_NAME, DEFAULT_ROOT_FOLDER } from "./load-config.js";
export type { LoadConfigOptions, LoadedConfig } from "./load-config.js";
export { createDefaultConfig, DEFAULT_OPERATIONS_PORT, DEFAULT_MAX_REQUEST_BODY_SIZE, DEFAULT_AUTH_CACHE_TTL_MS, DEFAULT_LIMITS } from "./default-config.js";
export { validateConfig, LOG_LEVELS, HASH_FUNCTIONS } from "./validate-config.js";
export type { BulkSettings, ConfigSettings, LimitSettings, LogLevel, TlsPaths } from "./validate-config.js";
export { collectOverrides, applyOverrides, coerceValue } from "./collect-overrides.js";
export type { ConfigOverride } from "./collect-overrides.js";
export { resolveConfigKey, flatten } from "./resolve-config-key.js";
export type { ResolvedConfigKey } from "./resolve-config-key.js";
export { getPath, setPath, mergeTrees, cloneTree, isConfigTree, treePaths } from "./config-tree.js";
export type { ConfigTree, ConfigValue } from "./config-tree.js";
export { ConfigError, isConfigError } from "./config-error.js";
export { parseDuration, isDuration } from "./parse-duration.js";
export { parseByteSize } from "./parse-byte-size.js";
