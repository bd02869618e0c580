/**
 * The three servers Parley needs on a developer machine, described once: which binaries run them,
 * how to install them on Debian/Ubuntu and macOS, the default port, and the arguments that start a
 * private instance that keeps its data in one folder of this checkout.
 */

export type ServiceName = "mariadb" | "nats" | "redis";

export type StartContext = {
  /** This service's data folder (created before start). */
  dir: string;
  port: number;
  /** Where the server writes its log. */
  logFile: string;
  /** Where the server writes its pid (MariaDB only; the others are tracked by the child handle). */
  pidFile: string;
  /** A short unix socket path (MariaDB insists on one; sun_path is ~104 bytes). */
  socketFile: string;
  /** Root may run the servers, but mariadbd refuses to unless told which user it is. */
  isRoot: boolean;
};

export type ServiceSpec = {
  name: ServiceName;
  label: string;
  defaultPort: number;
  /** First found wins. */
  binaries: string[];
  install: { apt: string; brew: string };
  /** The URL a private instance on `port` answers at, keeping the configured URL's path and user. */
  privateUrl: (configured: string, port: number) => string;
  startArgs: (ctx: StartContext) => string[];
  /** How long a cold start may take before we give up (MariaDB replays its redo log). */
  readyTimeoutMs: number;
};

const loopbackUrl = (configured: string, port: number, fallbackScheme: string): string => {
  const first = configured.split(",")[0]?.trim() || `${fallbackScheme}://127.0.0.1`;
  const url = new URL(first);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.toString().replace(/\/$/, "");
};

export const MARIADB: ServiceSpec = {
  name: "mariadb",
  label: "MariaDB",
  defaultPort: 3306,
  binaries: ["mariadbd", "mysqld"],
  install: { apt: "sudo apt install mariadb-server", brew: "brew install mariadb" },
  privateUrl: (configured, port) => loopbackUrl(configured, port, "mysql"),
  startArgs: (ctx) => [
    // Ignore every my.cnf on the machine: the private instance is defined by these flags alone.
    "--no-defaults",
    `--datadir=${ctx.dir}`,
    `--port=${ctx.port}`,
    "--bind-address=127.0.0.1",
    `--socket=${ctx.socketFile}`,
    `--pid-file=${ctx.pidFile}`,
    `--log-error=${ctx.logFile}`,
    // A laptop instance: small redo log and buffer pool, no binlog.
    "--innodb-log-file-size=16M",
    "--innodb-buffer-pool-size=128M",
    "--skip-log-bin",
    ...(ctx.isRoot ? ["--user=root"] : []),
  ],
  readyTimeoutMs: 60_000,
};

export const NATS: ServiceSpec = {
  name: "nats",
  label: "NATS",
  defaultPort: 4222,
  binaries: ["nats-server"],
  install: { apt: "sudo apt install nats-server", brew: "brew install nats-server" },
  privateUrl: (configured, port) => loopbackUrl(configured, port, "nats"),
  // -js: the API and worker use JetStream; -sd keeps its streams with the checkout.
  startArgs: (ctx) => ["-a", "127.0.0.1", "-p", String(ctx.port), "-js", "-sd", ctx.dir, "-l", ctx.logFile],
  readyTimeoutMs: 15_000,
};

export const REDIS: ServiceSpec = {
  name: "redis",
  label: "Redis",
  defaultPort: 6379,
  binaries: ["redis-server"],
  install: { apt: "sudo apt install redis-server", brew: "brew install redis" },
  privateUrl: (configured, port) => loopbackUrl(configured, port, "redis"),
  startArgs: (ctx) => [
    "--bind",
    "127.0.0.1",
    "--port",
    String(ctx.port),
    "--dir",
    ctx.dir,
    "--logfile",
    ctx.logFile,
    "--daemonize",
    "no",
    // Rate-limit counters and OIDC state only: a snapshot now and then is plenty.
    "--save",
    "300 1",
    "--appendonly",
    "no",
  ],
  readyTimeoutMs: 15_000,
};

export const SERVICES: Record<ServiceName, ServiceSpec> = { mariadb: MARIADB, nats: NATS, redis: REDIS };

/** One line a person can act on: what is missing and the exact command for each platform. */
export function installLine(spec: ServiceSpec, configuredUrl: string): string {
  const binaries = spec.binaries.join(" or ");
  return `${spec.label} does not answer at ${redact(configuredUrl)} and ${binaries} is not installed: \`${spec.install.apt}\` (Debian/Ubuntu) or \`${spec.install.brew}\` (macOS)`;
}

/** URLs may carry passwords; log lines never do. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/g, "//$1:***@");
}
