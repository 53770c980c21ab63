/**
 * A configuration that cannot be used: a value of the wrong kind, a YAML file that does not
 * parse, an unknown command-line option, a root folder that cannot be created. The message is
 * meant for the person starting the server and names the key or the file; it never needs a stack
 * trace to be understood.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    /** The dotted config key concerned (`operationsApi.network.port`), when there is one. */
    readonly key?: string,
    /** The file concerned, when the problem is in a file. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/** Type guard for ConfigError that checks the name, not the prototype. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === "ConfigError";
}

/**
 * Builds the ConfigError for a key whose value is unusable, in the one message shape every check
 * uses: `Invalid configuration: <key> must be <what> (got <value as JSON>)`.
 */
export function invalidValue(key: string, expected: string, value: unknown): ConfigError {
  return new ConfigError(`Invalid configuration: ${key} must be ${expected} (got ${describe(value)})`, key);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A value JSON cannot print (a cycle cannot come from YAML, but be safe): its plain string.
    return String(value);
  }
}
