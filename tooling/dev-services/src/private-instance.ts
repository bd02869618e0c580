import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { answers } from "./net";
import type { ServiceSpec, StartContext } from "./specs";
import { findFirst } from "./which";

/** A server this checkout started (or one it started earlier and found still running). */
export type PrivateInstance = {
  name: ServiceSpec["name"];
  label: string;
  url: string;
  port: number;
  pid: number;
  /** Stops it and waits until it has exited (its data stays for the next run). */
  stop: () => Promise<void>;
};

export class ServiceStartError extends Error {
  constructor(label: string, reason: string, logFile: string) {
    super(`${label} (private instance) did not start: ${reason}. Log: ${logFile}\n${tail(logFile)}`);
    this.name = "ServiceStartError";
  }
}

export type StartOptions = {
  spec: ServiceSpec;
  binary: string;
  /** The checkout's `.parley/` folder: data, logs and pid files live here. */
  dataRoot: string;
  port: number;
  url: string;
  searchPath: string[];
};

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function tail(file: string, lines = 8): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

const ownerPidFile = (dataRoot: string, spec: ServiceSpec) => join(dataRoot, `${spec.name}.pid`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await Bun.sleep(100);
  }
  return check();
}

function stopper(pid: number, pidFile: string): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      if (isAlive(pid)) process.kill(pid, "SIGTERM");
      // MariaDB flushes InnoDB on SIGTERM; give it time before forcing.
      if (!(await waitUntil(() => !isAlive(pid), 30_000))) process.kill(pid, "SIGKILL");
      await waitUntil(() => !isAlive(pid), 5_000);
      rmSync(pidFile, { force: true });
    })();
    return stopping;
  };
}

/**
 * MariaDB needs its system tables before the first start. Root gets an empty password over TCP
 * ("normal" authentication), like the shared development servers. Initialised into a side folder
 * and renamed, so an interrupted first run never leaves a half-made data folder behind.
 */
function initialiseMariaDb(options: StartOptions, dir: string, logFile: string): void {
  if (existsSync(join(dir, "mysql"))) return;
  const staging = `${dir}.init`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const rootFlag = isRoot() ? ["--user=root"] : [];
  const version = spawnSync(options.binary, ["--version"], { encoding: "utf8" }).stdout ?? "";
  const isMariaDb = /mariadb/i.test(version) || basename(options.binary) === "mariadbd";
  let command: string[];
  if (isMariaDb) {
    const installer = findFirst(["mariadb-install-db", "mysql_install_db"], options.searchPath);
    if (!installer) throw new ServiceStartError("MariaDB", "mariadb-install-db is not installed", logFile);
    command = [
      installer,
      "--no-defaults",
      `--datadir=${staging}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--innodb-log-file-size=16M",
      ...rootFlag,
    ];
  } else {
    // Oracle MySQL: root@localhost with an empty password.
    command = [options.binary, "--no-defaults", "--initialize-insecure", `--datadir=${staging}`, ...rootFlag];
  }
  const [program, ...args] = command as [string, ...string[]];
  const result = spawnSync(program, args, { encoding: "utf8" });
  writeFileSync(logFile, `${result.stdout ?? ""}${result.stderr ?? ""}`, { flag: "a" });
  if (result.status !== 0) {
    throw new ServiceStartError("MariaDB", `${basename(program)} exited with ${result.status}`, logFile);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/** Starts the server in its own process group (a terminal's Ctrl+C reaches us, and we stop it last). */
export async function startPrivateInstance(options: StartOptions): Promise<PrivateInstance> {
  const { spec, dataRoot, port } = options;
  const dir = join(dataRoot, spec.name);
  const logFile = join(dataRoot, `${spec.name}.log`);
  mkdirSync(dir, { recursive: true });
  if (spec.name === "mariadb") initialiseMariaDb(options, dir, logFile);
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 10);
  const ctx: StartContext = {
    dir,
    port,
    logFile,
    pidFile: join(dir, `${spec.name}d.pid`),
    socketFile: join(tmpdir(), `parley-${spec.name}-${hash}.sock`),
    isRoot: isRoot(),
  };
  const output = openSync(logFile, "a");
  const child = spawn(options.binary, spec.startArgs(ctx), {
    detached: true,
    stdio: ["ignore", output, output],
  });
  const pid = child.pid;
  if (!pid) throw new ServiceStartError(spec.label, `could not run ${options.binary}`, logFile);
  const pidFile = ownerPidFile(dataRoot, spec);
  // The server's pid, then ours: a later run adopts the server only once we are gone.
  writeFileSync(pidFile, `${pid} ${process.pid}`);
  let exitCode: number | null = null;
  child.once("exit", (code, signal) => {
    exitCode = code ?? (signal ? 128 : 1);
  });
  const stop = stopper(pid, pidFile);
  const ready = await waitUntil(
    async () => exitCode !== null || (await answers("127.0.0.1", port, 500)),
    spec.readyTimeoutMs,
  );
  if (exitCode !== null || !ready) {
    await stop();
    const reason = exitCode !== null ? `exited with code ${exitCode}` : `no answer on port ${port}`;
    throw new ServiceStartError(spec.label, reason, logFile);
  }
  return { name: spec.name, label: spec.label, url: options.url, port, pid, stop };
}

/**
 * A private instance an earlier run started and could not stop (that run was killed): if its pid
 * file names a live process that is that server (its command line names this data folder, or the
 * binary and the port), adopt it so this run stops it on exit.
 */
export function adoptLeftover(spec: ServiceSpec, dataRoot: string, url: string, port: number) {
  const pidFile = ownerPidFile(dataRoot, spec);
  let pid: number;
  let owner: number;
  try {
    [pid, owner] = readFileSync(pidFile, "utf8").trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return null;
  }
  // Its run is still going (`bun run dev` while `bun run test` starts): use it, leave it to that run.
  if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) return null;
  const command = spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" }).stdout ?? "";
  // Redis rewrites its process title to "redis-server 127.0.0.1:<port>", dropping the data folder.
  const isOurs =
    command.includes(join(dataRoot, spec.name)) ||
    (spec.binaries.some((binary) => command.includes(binary)) && command.includes(`:${port}`));
  if (!isOurs) return null;
  const instance: PrivateInstance = {
    name: spec.name,
    label: spec.label,
    url,
    port,
    pid,
    stop: stopper(pid, pidFile),
  };
  return instance;
}
