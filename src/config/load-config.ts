import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseDocument, stringify } from "yaml";
import { ConfigError, isConfigError } from "./config-error.js";
import { createDefaultConfig } from "./default-config.js";
import { isConfigTree, mergeTrees } from "./config-tree.js";
import type { ConfigTree } from "./config-tree.js";
import { applyOverrides, collectOverrides } from "./collect-overrides.js";
import type { ConfigOverride } from "./collect-overrides.js";
import { validateConfig } from "./validate-config.js";
import type { ConfigSettings } from "./validate-config.js";

/** The configuration file's name inside the root folder (Harper 4.x's name). */
export const CONFIG_FILE_NAME = "harperdb-config.yaml";

/** The root folder, under the working directory, when neither `--ROOTPATH` nor `ROOTPATH` names one. */
export const DEFAULT_ROOT_FOLDER = "harper-data";

const header =
  "# harper-ops configuration file, in HarperDB 4.7's layout: https://docs.harperdb.io/docs/deployments/configuration\n" +
  "# Environment variables and --KEY arguments override these values at start-up and are not written here.\n" +
  "---\n";

/** Where loadConfig reads its inputs; each defaults to the running process's own. */
export interface LoadConfigOptions {
  /** Environment variables; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Command-line arguments after the script, `--KEY value` or `--KEY=value`; default none. */
  argv?: readonly string[];
  /** Folder that a relative root path is resolved against; default `process.cwd()`. */
  cwd?: string;
}

/** The configuration in force. */
export interface LoadedConfig {
  /** The absolute root folder (`rootPath`). */
  rootPath: string;
  /** The absolute path of `harperdb-config.yaml`. */
  file: string;
  /** True when this call wrote the file with the defaults (first start). */
  created: boolean;
  /** Defaults, then the file, then environment, then arguments, merged; `get_configuration` reads the file instead. */
  raw: ConfigTree;
  /** The checked, typed values the server uses. */
  settings: ConfigSettings;
  /** The environment variables and arguments that were applied, in order. */
  overrides: ConfigOverride[];
}

/**
 * Loads the configuration as Harper does at start-up:
 * 1. the root folder is `--ROOTPATH` (or `--HDB_ROOT`), else env `ROOTPATH` (or `HDB_ROOT`), else
 *    `<cwd>/harper-data`, resolved to an absolute path and created if missing;
 * 2. `<root>/harperdb-config.yaml` is read, or written with createDefaultConfig when absent;
 * 3. environment variables and `--KEY value` arguments named after a flattened config key
 *    (`OPERATIONSAPI_NETWORK_PORT`, `logging_level`, legacy `LOG_LEVEL`, ...) override the file,
 *    arguments over environment; unknown environment variables are ignored, unknown arguments
 *    are an error;
 * 4. the result is validated (validateConfig).
 *
 * Unlike Harper, which writes environment and argument values into the file at every start,
 * overrides are NOT written back: they last as long as the process, and the file holds only what
 * was written on first start or edited since (by hand or by set_configuration).
 *
 * Throws a ConfigError, whose message names the key or the file, for any unusable input.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const overrides = collectOverrides(env, options.argv ?? []);
  const rootPath = await prepareRoot(cwd, overrides);
  const file = join(rootPath, CONFIG_FILE_NAME);
  const defaults = createDefaultConfig(rootPath);
  const { tree, created } = await readOrCreate(file, defaults);
  const raw = mergeTrees(defaults, tree);
  applyOverrides(raw, overrides);
  raw.rootPath = rootPath;
  try {
    return { rootPath, file, created, raw, settings: validateConfig(raw, rootPath), overrides };
  } catch (error) {
    throw isConfigError(error) ? withSource(error, overrides, file) : error;
  }
}

async function prepareRoot(cwd: string, overrides: readonly ConfigOverride[]): Promise<string> {
  const given = overrides.filter((o) => o.path === "rootPath").at(-1);
  if (given && (typeof given.value !== "string" || given.value.trim() === "")) {
    throw new ConfigError(`Invalid configuration: rootPath must be a folder path (got ${JSON.stringify(given.value)} from ${sourceOf(given)})`, "rootPath");
  }
  const rootPath = resolve(cwd, given ? (given.value as string) : DEFAULT_ROOT_FOLDER);
  try {
    await mkdir(rootPath, { recursive: true });
  } catch (error) {
    throw new ConfigError(`Cannot create the root folder ${rootPath}: ${reason(error)}`, "rootPath");
  }
  return rootPath;
}

async function readOrCreate(file: string, defaults: ConfigTree): Promise<{ tree: ConfigTree; created: boolean }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(`Cannot read the configuration file ${file}: ${reason(error)}`, undefined, file);
    }
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, header + stringify(defaults), { mode: 0o600 });
      await rename(temporary, file);
    } catch (writeError) {
      throw new ConfigError(`Cannot write the configuration file ${file}: ${reason(writeError)}`, undefined, file);
    }
    return { tree: {}, created: true };
  }
  return { tree: parseConfigYaml(text, file), created: false };
}

/** Parses the text of a configuration file; a ConfigError naming the file when it is not a YAML mapping. */
export function parseConfigYaml(text: string, file: string): ConfigTree {
  const document = parseDocument(text);
  const problem = document.errors[0];
  if (problem) {
    throw new ConfigError(`Invalid configuration file ${file}: ${problem.message.split("\n")[0]?.replace(/:$/, "")}`, undefined, file);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // toJS refuses what parsing let through, such as an alias expanded too many times.
    throw new ConfigError(`Invalid configuration file ${file}: ${reason(error).split("\n")[0]}`, undefined, file);
  }
  if (value === null || value === undefined) return {};
  if (!isConfigTree(value)) {
    throw new ConfigError(`Invalid configuration file ${file}: expected a mapping of keys, found ${Array.isArray(value) ? "a list" : "a single value"}`, undefined, file);
  }
  return value;
}

/**
 * Appends where the bad value came from: the last override of the key itself, else the last one
 * below it (`http.mtls.required` made `http.mtls` a mapping) or above it (`tls` replaced the
 * section that holds `tls.certificate`), else the file.
 */
function withSource(error: ConfigError, overrides: readonly ConfigOverride[], file: string): ConfigError {
  const key = error.key;
  const related = (o: ConfigOverride) => key !== undefined && (o.path.startsWith(`${key}.`) || key.startsWith(`${o.path}.`));
  const override = overrides.filter((o) => o.path === key).at(-1) ?? overrides.filter(related).at(-1);
  const source = override ? sourceOf(override) : `the file ${file}`;
  return new ConfigError(`${error.message}, set by ${source}`, error.key, override ? undefined : file);
}

function sourceOf(override: ConfigOverride): string {
  return override.source === "env" ? `environment variable ${override.name}` : `command-line option --${override.name}`;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
