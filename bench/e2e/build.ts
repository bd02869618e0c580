/**
 * `next build` of a checkout into its own dist dir, skipped when the build is current: the stamp
 * written next to it names the commit and a hash of the uncommitted changes under apps/ and
 * packages/ (a working tree with edits in flight is a different build).
 */
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Not `.next` (a running `next dev` of someone else uses it) and not the e2e tests' `.next-e2e`. */
export const NEXT_DIST_DIR = ".next-bench";
const STAMP_FILE = "parley-bench-stamp.json";

async function git(checkout: string, args: string[]): Promise<string> {
  const proc = Bun.spawn(["git", "-C", checkout, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`git ${args.join(" ")} failed in ${checkout} (${code})`);
  return out;
}

/** The commit plus a digest of everything uncommitted that Next would compile. */
export async function sourceStamp(checkout: string): Promise<{ commit: string; dirty: string }> {
  const commit = (await git(checkout, ["rev-parse", "HEAD"])).trim();
  const diff = await git(checkout, ["diff", "HEAD", "--", "apps", "packages"]);
  const untracked = (await git(checkout, ["ls-files", "--others", "--exclude-standard", "apps", "packages"]))
    .split("\n")
    .filter(Boolean);
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(diff);
  for (const file of untracked) {
    hasher.update(file);
    const path = join(checkout, file);
    if (existsSync(path)) hasher.update(readFileSync(path));
  }
  return { commit, dirty: diff.length === 0 && untracked.length === 0 ? "" : hasher.digest("hex") };
}

/** Builds unless the stamp matches; returns whether it built and how long that took. */
export async function buildWebIfStale(
  checkout: string,
  logDir: string,
): Promise<{ built: boolean; seconds: number; commit: string; dirty: boolean }> {
  const webDir = join(checkout, "apps", "web");
  const stampPath = join(webDir, NEXT_DIST_DIR, STAMP_FILE);
  const stamp = await sourceStamp(checkout);
  const current = existsSync(stampPath) ? readFileSync(stampPath, "utf8") : "";
  const wanted = JSON.stringify(stamp);
  if (current === wanted && existsSync(join(webDir, NEXT_DIST_DIR, "BUILD_ID"))) {
    return { built: false, seconds: 0, commit: stamp.commit, dirty: stamp.dirty !== "" };
  }
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, "next-build.log");
  const started = performance.now();
  const build = Bun.spawn(["bun", "--bun", "node_modules/next/dist/bin/next", "build"], {
    cwd: webDir,
    env: { ...process.env, NEXT_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdout: openSync(log, "w"),
    stderr: openSync(log, "a"),
  });
  const code = await build.exited;
  if (code !== 0) throw new Error(`next build failed (${code}) in ${webDir}; see ${log}`);
  writeFileSync(stampPath, wanted);
  return {
    built: true,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    commit: stamp.commit,
    dirty: stamp.dirty !== "",
  };
}
