#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isConfigError } from "./config/index.js";
import { isListenError } from "./server/listener.js";
import { startServer, version } from "./main.js";

const usage = `harper-ops ${version()}: a server for the Harper (HarperDB) Operations API, gRPC and Connect

Usage: harper-ops [command] [--KEY value ...]

Commands:
  start      run the server in the foreground (the default)
  stop       stop the server whose root folder is given (SIGTERM to the PID in <root>/hdb.pid)
  status     tell whether that server is running
  version    print the version
  --help     print this help

The root folder is --ROOTPATH DIR, else the ROOTPATH environment variable, else ./harper-data.
Any configuration key may be given as --KEY value or as an environment variable, flattened in
upper case (OPERATIONSAPI_NETWORK_PORT=9925, LOGGING_LEVEL=debug); they override
<root>/harperdb-config.yaml for this run and are not written back to it.
On first start the super user is HDB_ADMIN_USERNAME (default admin) with HDB_ADMIN_PASSWORD
(a random password is generated and printed once when none is given).
`;

async function main(args: string[]): Promise<number> {
  const command = args[0] && !args[0].startsWith("--") ? args[0] : "start";
  const rest = command === args[0] ? args.slice(1) : args;
  if (args.includes("--help") || args.includes("-h") || command === "help") {
    process.stdout.write(usage);
    return 0;
  }
  switch (command) {
    case "version":
      process.stdout.write(`${version()}\n`);
      return 0;
    case "start":
      return start(rest);
    case "stop":
    case "status":
      return control(command, rest);
    default:
      process.stderr.write(`harper-ops: unknown command '${command}'\n\n${usage}`);
      return 2;
  }
}

async function start(argv: string[]): Promise<number> {
  const server = await startServer({ argv });
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      server.logger.notify({ tags: [] }, `received ${signal}`);
      void server.close().then(done);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}

/** stop and status, through the PID file of the root folder. */
async function control(command: "stop" | "status", argv: string[]): Promise<number> {
  const flag = argv.findIndex((arg) => /^--rootpath(=|$)/i.test(arg));
  const given = flag < 0 ? undefined : argv[flag]!.includes("=") ? argv[flag]!.split("=")[1] : argv[flag + 1];
  const root = resolve(given ?? process.env["ROOTPATH"] ?? "harper-data");
  let pid: number | undefined;
  try {
    pid = Number((await readFile(join(root, "hdb.pid"), "utf8")).trim());
  } catch {
    pid = undefined;
  }
  const running = pid !== undefined && Number.isInteger(pid) && isAlive(pid);
  if (command === "status") {
    process.stdout.write(running ? `harper-ops is running (pid ${pid}, root ${root})\n` : `harper-ops is not running (root ${root})\n`);
    return running ? 0 : 3;
  }
  if (!running) {
    process.stdout.write(`harper-ops is not running (root ${root})\n`);
    return 0;
  }
  process.kill(pid!, "SIGTERM");
  for (let i = 0; i < 300 && isAlive(pid!); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid!)) {
    process.stderr.write(`harper-ops (pid ${pid}) did not stop within 30 s\n`);
    return 1;
  }
  process.stdout.write(`harper-ops stopped (pid ${pid})\n`);
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the command prints when it fails: a configuration mistake (ConfigError, naming the key or
 * the file) or a port that cannot be bound (ListenError) is the user's to fix and gets one line
 * without a stack trace; anything else is a bug and gets its stack.
 */
function failureText(error: unknown): string {
  if (isConfigError(error) || isListenError(error)) return error.message.replace(/\s*[\r\n]+\s*/g, " ");
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`harper-ops: ${failureText(error)}\n`);
    process.exit(1);
  },
);
