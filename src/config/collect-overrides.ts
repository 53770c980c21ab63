import { ConfigError } from "./config-error.js";
import { createDefaultConfig } from "./default-config.js";
import { getPath, isConfigTree, setPath } from "./config-tree.js";
import type { ConfigTree, ConfigValue } from "./config-tree.js";
import { resolveConfigKey } from "./resolve-config-key.js";

/** One configuration value given outside the file, by an environment variable or a `--FLAG`. */
export interface ConfigOverride {
  /** Where it came from. */
  source: "env" | "argv";
  /** The name as given, `OPERATIONSAPI_NETWORK_PORT` or `LOG_LEVEL`. */
  name: string;
  /** The dotted path it sets, `operationsApi.network.port`. */
  path: string;
  /** The value, cast from its string form to the type of the key. */
  value: ConfigValue;
}

/** The defaults give each key its type; their strings (paths) do not depend on the root. */
const templates = createDefaultConfig("/");

/**
 * Reads the configuration overrides from the environment and the command line, in the order they
 * apply: environment before arguments (arguments win), and within each, legacy aliases before
 * canonical names (`LOGGING_LEVEL` beats `LOG_LEVEL`). Environment variables that are no config
 * key are ignored, as are empty ones; an argument that is not `--KEY value` or `--KEY=value`
 * with a known KEY throws a ConfigError.
 */
export function collectOverrides(env: NodeJS.ProcessEnv, argv: readonly string[]): ConfigOverride[] {
  const fromEnv: ConfigOverride[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || raw === "") continue;
    const override = toOverride("env", name, raw);
    if (override) fromEnv.push(override);
  }
  const fromArgv = parseArgv(argv).map(([name, raw]) => {
    const override = toOverride("argv", name, raw);
    if (!override) {
      throw new ConfigError(
        `Unknown command-line option --${name}: options are configuration keys in flattened form, e.g. --OPERATIONSAPI_NETWORK_PORT 9925`,
      );
    }
    return override;
  });
  return [...aliasesFirst(fromEnv), ...aliasesFirst(fromArgv)];
}

/** Sets every override into the tree, in order, so that a later one wins. */
export function applyOverrides(tree: ConfigTree, overrides: readonly ConfigOverride[]): void {
  for (const override of overrides) setPath(tree, override.path, override.value);
}

/**
 * Casts a string from the environment or the command line to the type the key has in the
 * defaults: booleans from `true`/`false`, numbers from numerals, lists from JSON (`["a","b"]`) or
 * a comma-separated list; strings stay strings. `null` (and Harper's `undefined`) is null for any
 * key. Keys without a default get Harper's own casting: booleans, numbers, JSON objects and lists.
 * A string that does not fit the key's type is kept as it is, for validation to name.
 */
export function coerceValue(raw: string, template: ConfigValue | undefined): ConfigValue {
  const text = raw.trim();
  const lower = text.toLowerCase();
  if (lower === "null" || lower === "undefined") return null;
  if (typeof template === "string") return raw;
  if (typeof template === "boolean") return lower === "true" ? true : lower === "false" ? false : raw;
  if (typeof template === "number") return isNumeral(text) ? Number(text) : raw;
  if (Array.isArray(template)) {
    const parsed = text.startsWith("[") ? parseJson(text) : undefined;
    if (parsed !== undefined) return parsed;
    return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
  }
  if (lower === "true" || lower === "false") return lower === "true";
  if (isNumeral(text)) return Number(text);
  if (text.startsWith("[") || text.startsWith("{")) return parseJson(text) ?? raw;
  return raw;
}

/** Splits `--NAME value` and `--NAME=value` pairs; anything else is a ConfigError. */
function parseArgv(argv: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--") || arg.length === 2) {
      throw new ConfigError(`Unexpected command-line argument "${arg}": expected --KEY value or --KEY=value`);
    }
    const equals = arg.indexOf("=");
    if (equals > 0) {
      pairs.push([arg.slice(2, equals), arg.slice(equals + 1)]);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) {
      throw new ConfigError(`Command-line option ${arg} needs a value: ${arg} VALUE or ${arg}=VALUE`);
    }
    pairs.push([arg.slice(2), value]);
    i++;
  }
  return pairs;
}

function toOverride(source: "env" | "argv", name: string, raw: string): ConfigOverride | undefined {
  const key = resolveConfigKey(name);
  if (!key) return undefined;
  const template = getPath(templates, key.path);
  let value = coerceValue(raw, isConfigTree(template) ? undefined : template);
  if (key.invert && typeof value === "boolean") value = !value;
  return { source, name, path: key.path, value };
}

function aliasesFirst(overrides: ConfigOverride[]): ConfigOverride[] {
  const isAlias = (o: ConfigOverride) => resolveConfigKey(o.name)?.alias === true;
  return [...overrides.filter(isAlias), ...overrides.filter((o) => !isAlias(o))];
}

function isNumeral(text: string): boolean {
  return /^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text);
}

function parseJson(text: string): ConfigValue | undefined {
  try {
    return JSON.parse(text) as ConfigValue;
  } catch {
    // Not JSON after all: the caller keeps the text as it is.
    return undefined;
  }
}
