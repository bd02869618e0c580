import { join } from "node:path";
import { ensureServices } from "./ensure-services";
import { readEnvFile, updateEnvFile } from "./env-file";
import type { PrivateInstance } from "./private-instance";
import type { ServiceName } from "./specs";
import { serviceSearchPath } from "./which";

/**
 * `dev` is what `bun run dev` / `bun run start` talk to (DATABASE_URL, NATS_URL, REDIS_URL, kept in
 * `.env`); `test` is what the test suites talk to (TEST_DATABASE_URL is a server, each test file
 * makes its own database). Both use the same private instances when they have to start one.
 */
export type Profile = "dev" | "test";

export type BringUpOptions = {
  /** The checkout: `.env` and `.parley/` live here. */
  root: string;
  profile: Profile;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
};

export type ServicesReady = {
  /** Variables to hand to every child process (they win over `.env`). */
  env: Record<string, string>;
  started: PrivateInstance[];
  stop: () => Promise<void>;
};

export class ServicesMissingError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "ServicesMissingError";
  }
}

const DEFAULTS = {
  DATABASE_URL: "mysql://root@127.0.0.1:3306/parley",
  NATS_URL: "nats://127.0.0.1:4222",
  REDIS_URL: "redis://127.0.0.1:6379",
};

/** mysql://root@host:port/parley → mysql://root@host:port (the server, no database). */
function serverOnly(url: string): string {
  if (!url.startsWith("mysql")) return url;
  const parsed = new URL(url);
  parsed.pathname = "";
  return parsed.toString().replace(/\/$/, "");
}

function withDatabase(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function bringUpServices(options: BringUpOptions): Promise<ServicesReady> {
  const envFile = join(options.root, ".env");
  const fromFile = readEnvFile(envFile);
  const source = options.env ?? process.env;
  const pick = (key: keyof typeof DEFAULTS) => source[key] || fromFile[key] || DEFAULTS[key];
  const dev = {
    DATABASE_URL: pick("DATABASE_URL"),
    NATS_URL: pick("NATS_URL"),
    REDIS_URL: pick("REDIS_URL"),
  };
  const configured: Record<ServiceName, string> =
    options.profile === "dev"
      ? { mariadb: dev.DATABASE_URL, nats: dev.NATS_URL, redis: dev.REDIS_URL }
      : {
          mariadb: source.TEST_DATABASE_URL || serverOnly(dev.DATABASE_URL),
          nats: source.TEST_NATS_URL || dev.NATS_URL,
          redis: source.TEST_REDIS_URL || dev.REDIS_URL,
        };

  const result = await ensureServices({
    requests: (Object.keys(configured) as ServiceName[]).map((name) => ({ name, url: configured[name] })),
    dataRoot: join(options.root, ".parley"),
    searchPath: serviceSearchPath(source),
    log: options.log,
  });
  if (!result.ok) throw new ServicesMissingError(result.lines);
  const urls = { ...configured, ...result.urls };

  let env: Record<string, string>;
  if (options.profile === "dev") {
    env = { DATABASE_URL: urls.mariadb, NATS_URL: urls.nats, REDIS_URL: urls.redis };
    // Written down so processes started by hand (and the next run) find the private instances.
    const changed = updateEnvFile(envFile, env);
    if (changed.length > 0) options.log?.(`wrote ${changed.join(", ")} into .env`);
  } else {
    const database = new URL(dev.DATABASE_URL.startsWith("mysql") ? dev.DATABASE_URL : DEFAULTS.DATABASE_URL);
    env = {
      TEST_DATABASE_URL: serverOnly(urls.mariadb),
      TEST_NATS_URL: urls.nats,
      TEST_REDIS_URL: urls.redis,
      // db:migrate and the processes the e2e tests spawn read the ordinary names.
      DATABASE_URL: withDatabase(urls.mariadb, database.pathname.slice(1) || "parley"),
      NATS_URL: urls.nats,
      REDIS_URL: urls.redis,
    };
  }
  return { env, started: result.started, stop: result.stop };
}
