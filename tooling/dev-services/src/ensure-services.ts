import { mkdirSync } from "node:fs";
import { answers, endpoints, freePort, isLoopback, isPortFree } from "./net";
import { adoptLeftover, type PrivateInstance, startPrivateInstance } from "./private-instance";
import { installLine, redact, SERVICES, type ServiceName } from "./specs";
import { findFirst } from "./which";

export type ServiceRequest = { name: ServiceName; url: string };

export type ServicesUp = {
  ok: true;
  /** The URL each service answers at now (a private instance's own port when one was started). */
  urls: Partial<Record<ServiceName, string>>;
  /** What this run started or adopted: stopped by stop(). */
  started: PrivateInstance[];
  stop: () => Promise<void>;
};

/** One line per piece that can be neither reached nor started, naming the install command. */
export type ServicesMissing = { ok: false; lines: string[] };

export type EnsureOptions = {
  requests: ServiceRequest[];
  /** The checkout's `.parley/` folder. */
  dataRoot: string;
  /** Folders searched for the server binaries (see serviceSearchPath). */
  searchPath: string[];
  log?: (line: string) => void;
};

type Plan = { request: ServiceRequest; binary: string };

const stopAll = async (instances: PrivateInstance[]) => {
  // Reverse order of start; each stop waits for its process to exit.
  for (const instance of [...instances].reverse()) await instance.stop();
};

async function choosePort(configuredPort: number, defaultPort: number): Promise<number> {
  if (await isPortFree(configuredPort)) return configuredPort;
  if (configuredPort !== defaultPort && (await isPortFree(defaultPort))) return defaultPort;
  return freePort();
}

/**
 * For each service: use whatever answers at its configured URL; else start a private instance of
 * the installed server (data under `dataRoot`, reused next time). Nothing is started unless every
 * missing piece can be started, so a missing binary fails fast with every install line at once.
 */
export async function ensureServices(options: EnsureOptions): Promise<ServicesUp | ServicesMissing> {
  const log = options.log ?? (() => undefined);
  const urls: Partial<Record<ServiceName, string>> = {};
  const started: PrivateInstance[] = [];
  const toStart: Plan[] = [];
  const lines: string[] = [];

  for (const request of options.requests) {
    const spec = SERVICES[request.name];
    // PlanetScale speaks HTTP to a hosted database: nothing to start locally.
    if (request.name === "mariadb" && !request.url.startsWith("mysql")) {
      urls[request.name] = request.url;
      continue;
    }
    const targets = endpoints(request.url, spec.defaultPort);
    const answering = await Promise.all(targets.map((target) => answers(target.host, target.port)));
    if (answering.some(Boolean)) {
      urls[request.name] = request.url;
      const first = targets[0];
      const leftover = first ? adoptLeftover(spec, options.dataRoot, request.url, first.port) : null;
      if (leftover) {
        started.push(leftover);
        log(
          `${spec.label}: reusing this checkout's instance at ${redact(request.url)} (left running earlier)`,
        );
      } else {
        log(`${spec.label}: using ${redact(request.url)}`);
      }
      continue;
    }
    if (!targets.every((target) => isLoopback(target.host))) {
      lines.push(
        `${spec.label} does not answer at ${redact(request.url)}, which is not on this machine: start it there or point the URL at 127.0.0.1`,
      );
      continue;
    }
    const binary = findFirst(spec.binaries, options.searchPath);
    if (!binary) {
      lines.push(installLine(spec, request.url));
      continue;
    }
    toStart.push({ request, binary });
  }
  if (lines.length > 0) {
    await stopAll(started);
    return { ok: false, lines };
  }

  if (toStart.length > 0) mkdirSync(options.dataRoot, { recursive: true });
  try {
    for (const { request, binary } of toStart) {
      const spec = SERVICES[request.name];
      const configuredPort = endpoints(request.url, spec.defaultPort)[0]?.port ?? spec.defaultPort;
      const port = await choosePort(configuredPort, spec.defaultPort);
      const url = spec.privateUrl(request.url, port);
      log(`${spec.label}: nothing answers at ${redact(request.url)}; starting ${binary} on port ${port}`);
      const instance = await startPrivateInstance({
        spec,
        binary,
        dataRoot: options.dataRoot,
        port,
        url,
        searchPath: options.searchPath,
      });
      started.push(instance);
      urls[request.name] = url;
    }
  } catch (error) {
    await stopAll(started);
    throw error;
  }
  return { ok: true, urls, started, stop: () => stopAll(started) };
}
