import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Debian installs mariadbd, nats-server and redis-server's siblings under /usr/sbin, which is not on
 * an ordinary user's PATH; Homebrew's prefixes are on PATH already.
 */
export const SYSTEM_SBIN = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

/** Where to look for server binaries: PARLEY_SERVICE_PATH if set (tests hide binaries with it), else PATH plus sbin. */
export function serviceSearchPath(env: Record<string, string | undefined> = process.env): string[] {
  if (env.PARLEY_SERVICE_PATH !== undefined) return env.PARLEY_SERVICE_PATH.split(delimiter).filter(Boolean);
  return [...(env.PATH ?? "").split(delimiter).filter(Boolean), ...SYSTEM_SBIN];
}

/** The first executable called `name` in `dirs`, or null. */
export function findBinary(name: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The first of `names` found in `dirs`. */
export function findFirst(names: string[], dirs: string[]): string | null {
  for (const name of names) {
    const found = findBinary(name, dirs);
    if (found) return found;
  }
  return null;
}
