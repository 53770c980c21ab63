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
import type { LoadedConfig } from "./config/index.js";
import { buildOperationTable, services } from "./contract/index.js";
import { createLogger } from "./log/logger.js";
import type { Logger } from "./log/logger.js";
import { createRequestLogInterceptor } from "./log/request-log.js";
import { createApp } from "./server/app.js";
import { ensureCertificates } from "./server/certificates.js";
import { createListener } from "./server/listener.js";
import { createDatabaseService } from "./services/database-service.js";
import { createNoSqlService } from "./services/nosql-service.js";
import { createSqlService } from "./services/sql-service.js";
import { createBulkService } from "./services/bulk-service.js";
import { createJobService } from "./services/job-service.js";
import { createLogService } from "./services/log-service.js";
import { scheduleAuditRetention } from "./log/audit-retention.js";
import { createJobManager } from "./jobs/job-manager.js";
import { createOperationRunner } from "./server/internal-operations.js";
import type { OperationRunner } from "./server/internal-operations.js";
import { createTokenService } from "./services/token-service.js";
import { createUserService } from "./services/user-service.js";
import { openStorage } from "./storage/index.js";

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
  /** Finishes in-flight requests, closes the listener, LMDB and the log, removes the PID file. */
  close(): Promise<void>;
}

/**
 * Starts harper-ops: configuration, log, storage (creating the super user on first start), token
 * keys, certificates for the TLS port, and one request handler on both ports.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const { argv, install } = splitInstallParameters(options.argv ?? [], env);
  const config = await loadConfig({ env, argv, cwd: options.cwd });
  const settings = config.settings;
  if (settings.port === null) throw new Error("Invalid configuration: operationsApi.network.port must be set");
  const logger = createLogger({
    level: settings.logLevel,
    file: settings.logToFile ? settings.logFile : undefined,
    stdStreams: settings.logToStdStreams,
    rotation: settings.logRotation,
  });
  const storage = await openStorage({ path: settings.storagePath, auditLog: settings.auditLog });
  const closers: Array<() => Promise<void>> = [async () => storage.close()];
  try {
    let generatedPassword: string | undefined;
    const adminName = install["HDB_ADMIN_USERNAME"] || "admin";
    let adminPassword = install["HDB_ADMIN_PASSWORD"];
    if (!adminPassword) adminPassword = generatedPassword = randomBytes(12).toString("base64url");
    const created = await ensureAdmin(storage, adminName, adminPassword);
    if (!created) generatedPassword = undefined;

    const tokens = createTokenIssuer(await ensureTokenKeys(settings.keysDir));
    const users = createStorageUserStore(storage);
    const cacheTtl = Number((config.raw["authentication"] as Record<string, unknown> | undefined)?.["cacheTTL"]);
    const authenticator = createAuthenticator({
      users,
      tokens,
      authorizeLocal: settings.authorizeLocal,
      cacheTtlMs: Number.isFinite(cacheTtl) ? cacheTtl : 30_000,
    });
    const table = buildOperationTable(services);
    const jobs = createJobManager(storage, (message, error) => logger.error({ err: error }, message));
    if (settings.auditLog) {
      const retention = parseDuration(settings.auditRetention, "logging.auditRetention") * 1000;
      const stop = scheduleAuditRetention(storage, retention, (error) => logger.error({ err: error }, "audit log retention failed"));
      closers.unshift(async () => stop());
    }
    // Running jobs get a moment to finish; one that does not is marked failed at the next start.
    closers.unshift(() => Promise.race([jobs.idle(), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]));
    let runOperation: OperationRunner | undefined;
    const implementations: Record<string, object> = {
        "harper.v1.DatabaseService": createDatabaseService(storage),
        "harper.v1.NoSqlService": createNoSqlService(storage),
        "harper.v1.SqlService": createSqlService(storage),
        "harper.v1.JobService": createJobService(jobs),
        "harper.v1.BulkService": createBulkService({ storage, jobs, settings: settings.bulk, runOperation: () => runOperation! }),
        "harper.v1.LogService": createLogService({
          storage,
          jobs,
          logFile: settings.logFile,
          rotationPath: settings.logRotation.path,
          auditLog: settings.auditLog,
          flushLog: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
        }),
        "harper.v1.UserService": createUserService({ storage, authenticator }),
        "harper.v1.TokenService": createTokenService({
          authenticator,
          tokens,
          users,
          operationTokenSeconds: parseDuration(settings.operationTokenTimeout, "authentication.operationTokenTimeout"),
          refreshTokenSeconds: parseDuration(settings.refreshTokenTimeout, "authentication.refreshTokenTimeout"),
          parseDuration: (value) => parseDuration(value),
        }),
    };
    runOperation = createOperationRunner(table, implementations);
    const handler = createApp({
      services,
      table,
      implementations,
      interceptors: [
        createRequestLogInterceptor(logger, table),
        createAuthInterceptor(table, authenticator),
        createPermissionInterceptor(table, storage),
      ],
      maxBodyBytes: settings.maxRequestBodySize,
      logger,
    });
    const tls = settings.securePort === null ? undefined : await loadTls(config);
    const listener = await createListener({
      handler,
      port: settings.port,
      host: settings.host,
      securePort: settings.securePort,
      tls,
      keepAliveTimeout: settings.keepAliveTimeout,
      onError: (error) => logger.error({ tags: [], err: error }, error.message),
    });
    closers.unshift(() => listener.close(5000));
    const pidFile = join(config.rootPath, "hdb.pid");
    await writeFile(pidFile, String(process.pid));
    closers.push(() => rm(pidFile, { force: true }));

    const host = settings.host ?? "localhost";
    const lines = [
      `harper-ops ${version()} is running`,
      `  Operations API: http://${host}:${listener.port}/  (Harper JSON, gRPC, gRPC-Web, Connect)`,
      ...(listener.securePort !== null ? [`  TLS:            https://${host}:${listener.securePort}/`] : []),
      `  Root folder:    ${config.rootPath}`,
      ...(created
        ? [`  Super user:     ${adminName}` + (generatedPassword ? `  password: ${generatedPassword}  (shown once)` : "")]
        : []),
    ];
    (options.print ?? ((text) => process.stdout.write(text + "\n")))(lines.join("\n"));
    logger.notify({ tags: [] }, `harper-ops started on port ${listener.port}`);

    let closing: Promise<void> | undefined;
    return {
      config,
      logger,
      port: listener.port,
      securePort: listener.securePort,
      generatedPassword,
      close() {
        closing ??= (async () => {
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
