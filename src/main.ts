import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createAuthenticator } from "./auth/authenticator.js";
import { createAuthInterceptor } from "./auth/interceptor.js";
import { createPermissionInterceptor } from "./auth/permissions.js";
import { createStorageUserStore, ensureAdmin } from "./auth/system-users.js";
import { ensureTokenKeys } from "./auth/token-keys.js";
import { createTokenIssuer } from "./auth/tokens.js";
import { loadConfig, parseDuration } from "./config/index.js";
import type { ConfigSettings, LoadedConfig } from "./config/index.js";
import { httpStatusOf } from "./contract/index.js";
import type { Dispatch } from "./dispatch/dispatch-call.js";
import { createDispatcher } from "./dispatch/dispatcher.js";
import { createJobManager } from "./jobs/job-manager.js";
import type { JobManager } from "./jobs/job-manager.js";
import { scheduleAuditRetention } from "./log/audit-retention.js";
import { createLogger } from "./log/logger.js";
import type { Logger } from "./log/logger.js";
import { createRequestLogInterceptor, failureLevel, requestThread } from "./log/request-log.js";
import { createApp } from "./server/app.js";
import { ensureCertificates } from "./server/certificates.js";
import { createListener } from "./server/listener.js";
import { createRoutes } from "./server/routes.js";
import { openStorage } from "./storage/index.js";
import type { Storage } from "./storage/index.js";

/** Install-time parameters that are not configuration keys (Harper's names). */
const installParameters = ["HDB_ADMIN_USERNAME", "HDB_ADMIN_PASSWORD", "TC_AGREEMENT", "DEFAULTS_MODE"];

/** Where a server reads its inputs. */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Command-line arguments after `start`: `--KEY value` configuration overrides. */
  argv?: readonly string[];
  cwd?: string;
  /** Write the start-up banner here; default standard output. */
  print?: (text: string) => void;
}

/** A running server. */
export interface RunningServer {
  readonly config: LoadedConfig;
  readonly logger: Logger;
  /** The plain port (HTTP/1.1, h2c) and the TLS port, as bound. */
  readonly port: number;
  readonly securePort: number | null;
  /** The admin password generated on first start when none was given. */
  readonly generatedPassword: string | undefined;
  /** The one dispatch path, for in-process callers (an operation on behalf of a user). */
  readonly dispatch: Dispatch;
  /** Finishes in-flight requests, closes the listener, LMDB and the log, removes the PID file. */
  close(): Promise<void>;
}

/** What is closed on shutdown, in order: added to the front (listener, jobs) or the back (files). */
type Closers = Array<() => Promise<void>>;

/**
 * Starts harper-ops: configuration, log, storage (creating the super user on first start),
 * authentication, jobs, the route table and its dispatcher, the listener on both ports, the PID
 * file and the banner. A configuration mistake raises ConfigError before anything is opened.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const { argv, install } = splitInstallParameters(options.argv ?? [], env);
  const config = await loadConfig({ env, argv, cwd: options.cwd });
  const settings = config.settings;
  const logger = createLogger({
    level: settings.logLevel,
    file: settings.logToFile ? settings.logFile : undefined,
    stdStreams: settings.logToStdStreams,
    rotation: settings.logRotation,
  });
  const storage = await openStorage({ path: settings.storagePath, auditLog: settings.auditLog });
  const closers: Closers = [async () => storage.close()];
  try {
    const admin = await provisionAdmin(storage, install);
    const auth = await createAuth(storage, settings);
    const jobs = startJobs(storage, settings, logger, closers);
    const interceptors = [
      createRequestLogInterceptor(logger),
      createAuthInterceptor(auth.authenticator),
      createPermissionInterceptor(storage),
    ];
    const dispatcher = createDispatcher({
      interceptors,
      limits: { ...settings.limits },
      routes: (dispatch) => createRoutes({ storage, settings, logger, jobs, ...auth, parseDuration: (value) => parseDuration(value) }, dispatch),
      onRejected: ({ operation, error }) => {
        const status = httpStatusOf(error.code);
        logger[failureLevel(status)]({ thread: requestThread, tags: [], operation, protocol: "json", status }, error.rawMessage);
      },
    });
    let shuttingDown = false;
    const handler = createApp({
      dispatcher,
      interceptors,
      authenticator: auth.authenticator,
      maxBodyBytes: settings.maxRequestBodySize,
      maxJsonDepth: settings.limits.jsonDepth,
      logger,
      notReady: () => {
        if (shuttingDown) return ["shutting down"];
        try {
          const availability = storage.table("system", "hdb_status")?.get("availability");
          return availability?.["status"] === "Unavailable" ? ["status 'availability' is Unavailable"] : [];
        } catch {
          return ["storage is not open"];
        }
      },
    });
    const listener = await listen(handler, config, logger);
    closers.unshift(() => listener.close(5000));
    await writePidFile(config.rootPath, closers);
    printBanner(options.print, { config, listener, admin });
    logger.notify({ tags: [] }, `harper-ops started on port ${listener.port}`);

    let closing: Promise<void> | undefined;
    return {
      config,
      logger,
      port: listener.port,
      securePort: listener.securePort,
      generatedPassword: admin.generatedPassword,
      dispatch: dispatcher.dispatch,
      close() {
        closing ??= (async () => {
          shuttingDown = true;
          logger.notify({ tags: [] }, "harper-ops is shutting down");
          for (const close of closers) await close();
          await new Promise<void>((resolve) => logger.flush(() => resolve()));
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

/** The super user of a first start: HDB_ADMIN_USERNAME with HDB_ADMIN_PASSWORD, or a random password. */
async function provisionAdmin(storage: Storage, install: Record<string, string | undefined>) {
  const name = install["HDB_ADMIN_USERNAME"] || "admin";
  const given = install["HDB_ADMIN_PASSWORD"];
  const password = given || randomBytes(12).toString("base64url");
  const created = await ensureAdmin(storage, name, password);
  return { name, created, generatedPassword: created && !given ? password : undefined };
}

/** Token keys (made on first start), the user store and the authenticator. */
async function createAuth(storage: Storage, settings: ConfigSettings) {
  const tokens = createTokenIssuer(await ensureTokenKeys(settings.keysDir));
  const users = createStorageUserStore(storage);
  const authenticator = createAuthenticator({
    users,
    tokens,
    authorizeLocal: settings.authorizeLocal,
    cacheTtlMs: settings.authCacheTtlMs,
  });
  return { tokens, users, authenticator };
}

/** The job manager (marking jobs a stop interrupted) and the audit log retention. */
function startJobs(storage: Storage, settings: ConfigSettings, logger: Logger, closers: Closers): JobManager {
  const jobs = createJobManager(storage, (message, error) => logger.error({ err: error }, message));
  if (settings.auditLog) {
    const stop = scheduleAuditRetention(storage, settings.auditRetentionMs, (error) =>
      logger.error({ err: error }, "audit log retention failed"),
    );
    closers.unshift(async () => stop());
  }
  // Running jobs get a moment to finish; one that does not is marked failed at the next start.
  closers.unshift(() => Promise.race([jobs.idle(), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]));
  return jobs;
}

/**
 * The largest request header block, bytes, on both HTTP versions (Node's HTTP/1.1 default): a
 * larger one is refused by the listener before any handler runs.
 */
const maxHeaderBytes = 16 * 1024;

/** The listener on the plain port and, when configured, the TLS port. */
async function listen(handler: Parameters<typeof createListener>[0]["handler"], config: LoadedConfig, logger: Logger) {
  const settings = config.settings;
  const tls = settings.securePort === null ? undefined : await loadTls(config);
  return createListener({
    handler,
    port: settings.port,
    host: settings.host,
    securePort: settings.securePort,
    tls,
    keepAliveTimeout: settings.keepAliveTimeout,
    timeout: settings.timeout,
    headersTimeout: settings.headersTimeout,
    maxHeaderSize: maxHeaderBytes,
    maxConcurrentStreams: settings.limits.http2MaxStreams,
    maxSessionMemory: settings.limits.http2SessionMemory,
    onError: (error) => logger.error({ tags: [], err: error }, error.message),
  });
}

/** `<root>/hdb.pid`, removed on close. */
async function writePidFile(rootPath: string, closers: Closers): Promise<void> {
  const pidFile = join(rootPath, "hdb.pid");
  await writeFile(pidFile, String(process.pid));
  closers.push(() => rm(pidFile, { force: true }));
}

/** The start-up banner: URLs, root folder, and the super user of a first start. */
function printBanner(
  print: ((text: string) => void) | undefined,
  { config, listener, admin }: { config: LoadedConfig; listener: { port: number; securePort: number | null }; admin: Awaited<ReturnType<typeof provisionAdmin>> },
): void {
  const host = config.settings.host ?? "localhost";
  const lines = [
    `harper-ops ${version()} is running`,
    `  Operations API: http://${host}:${listener.port}/  (Harper JSON, gRPC, gRPC-Web, Connect)`,
    ...(listener.securePort !== null ? [`  TLS:            https://${host}:${listener.securePort}/`] : []),
    `  Root folder:    ${config.rootPath}`,
    ...(admin.created
      ? [`  Super user:     ${admin.name}` + (admin.generatedPassword ? `  password: ${admin.generatedPassword}  (shown once)` : "")]
      : []),
  ];
  (print ?? ((text) => process.stdout.write(text + "\n")))(lines.join("\n"));
}

/** Separates Harper's install parameters (`--HDB_ADMIN_PASSWORD x`, env) from config overrides. */
function splitInstallParameters(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const install: Record<string, string | undefined> = {};
  for (const name of installParameters) install[name] = env[name];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1]?.toUpperCase();
    if (name && installParameters.includes(name)) {
      install[name] = match![2] ?? argv[++i];
      continue;
    }
    rest.push(arg);
  }
  return { argv: rest, install };
}

async function loadTls(config: LoadedConfig): Promise<{ key: string; cert: string; ca?: string }> {
  const { tls, keysDir } = config.settings;
  if (dirname(tls.certificate) === keysDir && dirname(tls.privateKey) === keysDir) {
    const made = await ensureCertificates(keysDir);
    return { key: made.privateKey, cert: made.certificate, ca: made.ca };
  }
  const [key, cert] = await Promise.all([readFile(tls.privateKey, "utf8"), readFile(tls.certificate, "utf8")]);
  return { key, cert };
}

/** The version of harper-ops, from package.json. */
export function version(): string {
  return process.env["npm_package_version"] ?? packageVersion;
}

const packageVersion: string = JSON.parse(
  await readFile(new URL("../../package.json", import.meta.url), "utf8"),
).version;
