import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Browsers and mobile apps bundle this package: it may know the API's types, never its code (the
 * server, its database driver and its secrets would follow). Only `import type` / `export type` of
 * server packages, which the build erases. Tests under src may use the real API.
 */
const SERVER_PACKAGES = /^@parley\/(api|auth|db)(\/|$)/;
const SOURCE_ROOT = import.meta.dir;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "__tests__" ? [] : sourcesUnder(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every `import … from "x"` / `export … from "x"` / `import("x")` with whether it is type-only. */
function moduleReferences(text: string): { specifier: string; typeOnly: boolean }[] {
  const references: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(/\b(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g)) {
    const clause = match[3] ?? "";
    // `import { type A, type B } from` is erased too; a single value name keeps the module.
    const names =
      /^\{([^}]*)\}$/
        .exec(clause.trim())?.[1]
        ?.split(",")
        .map((n) => n.trim()) ?? [];
    const allTyped = names.length > 0 && names.filter(Boolean).every((n) => n.startsWith("type "));
    references.push({ specifier: match[4] ?? "", typeOnly: match[2] !== undefined || allTyped });
  }
  for (const match of text.matchAll(/\bimport\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    references.push({ specifier: match[1] ?? match[2] ?? "", typeOnly: false });
  }
  return references;
}

describe("@parley/client's runtime imports", () => {
  const sources = sourcesUnder(SOURCE_ROOT);

  test("the checker sees a value import of the API, and lets a type-only one pass", () => {
    expect(moduleReferences('import { appRouter } from "@parley/api";')).toEqual([
      { specifier: "@parley/api", typeOnly: false },
    ]);
    expect(moduleReferences('import { type AppRouter, appRouter } from "@parley/api";')[0]?.typeOnly).toBe(
      false,
    );
    expect(moduleReferences('import "@parley/db";')[0]?.typeOnly).toBe(false);
    expect(moduleReferences('import type { AppRouter } from "@parley/api";')[0]?.typeOnly).toBe(true);
    expect(moduleReferences('import { type AppRouter } from "@parley/api";')[0]?.typeOnly).toBe(true);
  });

  test("trpc-api.ts takes the router's type from @parley/api", () => {
    const text = readFileSync(join(SOURCE_ROOT, "trpc-api.ts"), "utf8");
    expect(moduleReferences(text)).toContainEqual({ specifier: "@parley/api", typeOnly: true });
  });

  test.each(sources.map((path) => relative(SOURCE_ROOT, path)))(
    "%s imports nothing of the server at run time",
    (file) => {
      const text = readFileSync(join(SOURCE_ROOT, file), "utf8");
      const runtime = moduleReferences(text).filter(
        (reference) => !reference.typeOnly && SERVER_PACKAGES.test(reference.specifier),
      );
      expect(runtime).toEqual([]);
    },
  );
});

test("a browser bundle of the package holds no module of the server", async () => {
  const build = await Bun.build({ entrypoints: [join(SOURCE_ROOT, "index.ts")], target: "browser" });
  expect(build.success).toBe(true);
  const text = (await build.outputs[0]?.text()) ?? "";
  // Bun names each bundled module in a `// path` comment line.
  const modules = [...text.matchAll(/^\/\/ (\S+\.[cm]?[jt]sx?)$/gm)].map((match) => match[1] ?? "");
  expect(modules.some((path) => path.endsWith("src/trpc-api.ts"))).toBe(true);
  const server = modules.filter(
    (path) => /\b(api|auth|db)\/src\//.test(path) || /(drizzle-orm|mysql2|ioredis|jose|@nats-io)/.test(path),
  );
  expect(server).toEqual([]);
});
