import { join, resolve } from "node:path";

/** The repository checkout this kit runs from. */
export const REPO_ROOT = resolve(import.meta.dir, "..", "..", "..");

/**
 * Our own programs, started by path as production starts them. Not package imports: the apps test
 * themselves with this kit, and a dependency back on them would be a workspace cycle (turbo refuses
 * those).
 */
export const APP_MAIN = {
  api: join(REPO_ROOT, "apps", "api", "src", "main.ts"),
  realtime: join(REPO_ROOT, "apps", "realtime", "src", "main.ts"),
  worker: join(REPO_ROOT, "apps", "worker", "src", "main.ts"),
} as const;
