import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The package map's arrows, checked on every source file (tests included): which workspace
 * packages each one may import. A forbidden arrow fails here with the file that draws it, so the
 * map in docs/design.md holds by itself instead of by review.
 */
const ROOT = resolve(import.meta.dir, "..", "..", "..");

type Rule = {
  dir: string;
  forbidden: string[];
  typeOnly?: string[];
  why: string;
  /**
   * Files allowed to break the rule for now: stacks that start the real API for a package's own
   * integration tests. They belong in tooling/testkit; moving them there empties these lists.
   */
  pending?: string[];
};

const RULES: Rule[] = [
  {
    dir: "packages/protocol",
    forbidden: ["@parley/*"],
    why: "protocol is the shared vocabulary: it imports nothing of ours",
  },
  {
    dir: "packages/db",
    forbidden: [
      "@parley/api",
      "@parley/auth",
      "@parley/client",
      "@parley/core",
      "@parley/realtime",
      "@parley/web",
      "@parley/worker",
    ],
    why: "db knows storage only",
  },
  {
    dir: "packages/auth",
    forbidden: [
      "@parley/api",
      "@parley/client",
      "@parley/core",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
    ],
    why: "the UAA never reaches into the API or the domain core",
  },
  {
    dir: "packages/storage",
    forbidden: [
      "@parley/api",
      "@parley/attachments",
      "@parley/auth",
      "@parley/client",
      "@parley/core",
      "@parley/db",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
    ],
    why: "object storage knows bytes and keys only: who may read them is decided above it",
  },
  {
    dir: "packages/attachments",
    forbidden: [
      "@parley/api",
      "@parley/client",
      "@parley/core",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
      "@trpc/*",
    ],
    why: "uploads and downloads use storage, the database and the UAA's counters; the send path (core) calls them, never the reverse",
  },
  {
    dir: "packages/core",
    forbidden: [
      "@parley/api",
      "@parley/api-server",
      "@parley/client",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
      "@trpc/*",
    ],
    why: "the domain core uses storage, the UAA and the protocol; it never knows the tRPC layer",
  },
  {
    dir: "packages/client",
    forbidden: [
      "@parley/auth",
      "@parley/core",
      "@parley/db",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
    ],
    typeOnly: ["@parley/api"],
    why: "clients run in browsers and phones: server code only as types",
    pending: ["packages/client/src/__tests__/trpc-api-changes.test.ts"],
  },
  {
    dir: "apps/realtime",
    forbidden: ["@parley/web", "@parley/api", "@parley/core", "@parley/db"],
    why: "gateways hold sockets, never storage",
    pending: ["apps/realtime/src/testing/api-server.ts"],
  },
  {
    dir: "apps/worker",
    forbidden: ["@parley/api", "@parley/web", "@parley/realtime", "@trpc/*"],
    why: "the worker runs the domain core's jobs, never the API",
  },
  {
    dir: "apps/api",
    forbidden: ["@parley/web", "@parley/db"],
    why: "the HTTP front calls the router, not the database",
  },
];

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(name)) files.push(path);
  }
  return files;
}

function matches(specifier: string, pattern: string): boolean {
  if (pattern.endsWith("/*")) return specifier.startsWith(pattern.slice(0, -1));
  return specifier === pattern || specifier.startsWith(`${pattern}/`);
}

function violationsOf(rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(ROOT, rule.dir))) {
    if (rule.pending?.includes(relative(ROOT, file))) continue;
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(IMPORT)) {
      const isTypeOnly = match[2] !== undefined;
      const specifier = match[3] ?? match[4] ?? "";
      const where = `${relative(ROOT, file)} → ${specifier}`;
      if (rule.forbidden.some((pattern) => matches(specifier, pattern))) found.push(where);
      else if (!isTypeOnly && rule.typeOnly?.some((pattern) => matches(specifier, pattern)))
        found.push(`${where} (only \`import type\` is allowed)`);
    }
  }
  return found;
}

describe("the package map's arrows hold", () => {
  for (const rule of RULES) {
    test(`${rule.dir}: ${rule.why}`, () => {
      expect(violationsOf(rule)).toEqual([]);
    });
  }

  test("the check sees a forbidden arrow (it is not vacuous)", () => {
    const probe: Rule = { dir: "apps/realtime", forbidden: ["@parley/protocol"], why: "probe" };
    expect(violationsOf(probe).length).toBeGreaterThan(0);
  });
});
