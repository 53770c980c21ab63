import { AnalyticsService } from "../../gen/harper/v1/analytics_service_pb.js";
import { BulkService } from "../../gen/harper/v1/bulk_service_pb.js";
import { CertificateService } from "../../gen/harper/v1/certificate_service_pb.js";
import { ClusterService } from "../../gen/harper/v1/cluster_service_pb.js";
import { ComponentService } from "../../gen/harper/v1/component_service_pb.js";
import { ConfigurationService } from "../../gen/harper/v1/configuration_service_pb.js";
import { DatabaseService } from "../../gen/harper/v1/database_service_pb.js";
import { JobService } from "../../gen/harper/v1/job_service_pb.js";
import { LogService } from "../../gen/harper/v1/log_service_pb.js";
import { NoSqlService } from "../../gen/harper/v1/nosql_service_pb.js";
import { RegistrationService } from "../../gen/harper/v1/registration_service_pb.js";
import { SqlService } from "../../gen/harper/v1/sql_service_pb.js";
import { SystemService } from "../../gen/harper/v1/system_service_pb.js";
import { TokenService } from "../../gen/harper/v1/token_service_pb.js";
import { UserService } from "../../gen/harper/v1/user_service_pb.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { TokenIssuer } from "../auth/tokens.js";
import type { UserStore } from "../auth/user-store.js";
import type { ConfigSettings } from "../config/index.js";
import { ContractError, services } from "../contract/index.js";
import type { Dispatch } from "../dispatch/dispatch-call.js";
import { route, unbuilt } from "../dispatch/route.js";
import type { Route } from "../dispatch/route.js";
import type { JobManager } from "../jobs/job-manager.js";
import type { Logger } from "../log/logger.js";
import { createBulkService } from "../services/bulk-service.js";
import { createDatabaseService } from "../services/database-service.js";
import { createJobService } from "../services/job-service.js";
import { createLogService } from "../services/log-service.js";
import { createNoSqlService } from "../services/nosql-service.js";
import { createRegistrationService } from "../services/registration-service.js";
import { createSqlService } from "../services/sql-service.js";
import { createStatusService } from "../services/status-service.js";
import { createSystemInformationService } from "../services/system-information.js";
import { createTokenService } from "../services/token-service.js";
import { createUserService } from "../services/user-service.js";
import type { Storage } from "../storage/index.js";

/** What the services are made of. */
export interface RouteDependencies {
  storage: Storage;
  settings: ConfigSettings;
  logger: Logger;
  jobs: JobManager;
  authenticator: Authenticator;
  tokens: TokenIssuer;
  users: UserStore;
  /** Parses a duration a request sends ("1d", 3600) into seconds. */
  parseDuration: (value: string | number) => number;
}

/**
 * The route table: every service of the contract, registered by its generated descriptor with its
 * implementation, or as not built yet. The Connect router and the dispatch table are both built
 * from this one list (dispatch/dispatcher.ts); `dispatch` is for the services that run other
 * operations on a caller's behalf.
 */
export function createRoutes(deps: RouteDependencies, dispatch: Dispatch): Route[] {
  const { storage, settings, jobs, authenticator, tokens, users } = deps;
  const routes = [
    unbuilt(AnalyticsService),
    route(BulkService, createBulkService({ storage, jobs, settings: settings.bulk, dispatch })),
    unbuilt(CertificateService),
    unbuilt(ClusterService),
    unbuilt(ComponentService),
    unbuilt(ConfigurationService),
    route(DatabaseService, createDatabaseService(storage)),
    route(JobService, createJobService(jobs)),
    route(
      LogService,
      createLogService({
        storage,
        jobs,
        logFile: settings.logFile,
        rotationPath: settings.logRotation.path,
        auditLog: settings.auditLog,
        flushLog: () => new Promise<void>((resolve) => deps.logger.flush(() => resolve())),
      }),
    ),
    route(NoSqlService, createNoSqlService(storage, settings.limits, () => authenticator.flush())),
    route(RegistrationService, createRegistrationService(), "installUsageLicense", "getUsageLicenses"),
    route(SqlService, createSqlService(storage, settings.limits)),
    route(
      SystemService,
      {
        ...createStatusService({
          storage,
          // The parts of harper-ops get_status reports; each is up while the server answers.
          components: () => ["http", "threads", "authentication", "logging", "operationsApi", "rootPath", "storage"].map((name) => ({ name, status: "healthy" })),
          restartRequired: () => false,
        }),
        ...createSystemInformationService({ storage }),
      },
      "restart",
      "restartService",
    ),
    route(
      TokenService,
      createTokenService({
        authenticator,
        tokens,
        users,
        operationTokenSeconds: settings.operationTokenSeconds,
        refreshTokenSeconds: settings.refreshTokenSeconds,
        parseDuration: deps.parseDuration,
      }),
      "login",
      "logout",
    ),
    route(UserService, createUserService({ storage, authenticator })),
  ];
  checkEveryService(routes);
  return routes;
}

/** Checks that every service of the contract has exactly one route: a service left out would never answer. */
export function checkEveryService(routes: readonly Route[]): void {
  const routed = routes.map((r) => r.service.typeName);
  const missing = services.filter((s) => !routed.includes(s.typeName)).map((s) => s.typeName);
  const twice = routed.filter((name, i) => routed.indexOf(name) !== i);
  if (missing.length || twice.length) {
    throw new ContractError(`route table: missing [${missing.join(", ")}], listed twice [${twice.join(", ")}]`);
  }
}
