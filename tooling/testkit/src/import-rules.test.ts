import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { REPO_ROOT as ROOT } from "./apps";
import { importCycles, importsOf, resolveLocal, sourceFiles, workspacePackages } from "./source-imports";

/**
 * The package map's arrows, checked on every source file (tests included): which workspace
 * packages each one may import. A forbidden arrow fails here with the file that draws it, so the
 * map in docs/design.md holds by itself instead of by review.
 */
type Rule = {
  dir: string;
  forbidden: string[];
  typeOnly?: string[];
  /** Allowed despite `forbidden`, but only in test code (…/testing/…, __tests__/, *.test.ts). */
  testsMay?: string[];
  why: string;
};

const isTestCode = (file: string) => /(^|\/)(testing|__tests__)\/|\.test\.tsx?$/.test(file);

const RULES: Rule[] = [
  {
    dir: "packages/protocol",
    forbidden: ["@parley/*"],
    why: "protocol is the shared vocabulary: it imports nothing of ours",
  },
  {
    dir: "packages/db",
    forbidden: ["@parley/*"],
    testsMay: ["@parley/vitess-lint"],
    why: "db knows storage only (its test database runs the scatter guard of tooling/vitess-lint)",
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
    dir: "packages/api",
    forbidden: [
      "@parley/api-server",
      "@parley/client",
      "@parley/db",
      "@parley/web",
      "@parley/realtime",
      "@parley/worker",
    ],
    testsMay: ["@parley/db"],
    why: "the tRPC layer calls the domain core, which owns storage (tests read the database directly)",
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
  },
  {
    dir: "apps/realtime",
    forbidden: ["@parley/web", "@parley/api", "@parley/core", "@parley/db"],
    why: "gateways hold sockets, never storage",
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

function matches(specifier: string, pattern: string): boolean {
  if (pattern.endsWith("/*")) return specifier.startsWith(pattern.slice(0, -1));
  return specifier === pattern || specifier.startsWith(`${pattern}/`);
}

function violationsOf(rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(ROOT, rule.dir))) {
    const path = relative(ROOT, file);
    for (const { specifier, isTypeOnly } of importsOf(file)) {
      const where = `${path} → ${specifier}`;
      const isAllowedInTests =
        isTestCode(path) && rule.testsMay?.some((pattern) => matches(specifier, pattern));
      if (rule.forbidden.some((pattern) => matches(specifier, pattern)) && !isAllowedInTests)
        found.push(where);
      else if (!isTypeOnly && rule.typeOnly?.some((pattern) => matches(specifier, pattern)))
        found.push(`${where} (only \`import type\` is allowed)`);
    }
  }
  return found;
}

/** Relative imports that leave their package: another package is reached by its name and exports. */
function crossPackageImports(root: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(root)) {
    for (const { specifier } of importsOf(file)) {
      const target = resolveLocal(file, specifier, root);
      if (target && relative(root, target).startsWith(".."))
        found.push(`${relative(ROOT, file)} → ${specifier}`);
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

describe("the import graph", () => {
  const packages = workspacePackages();

  test("the checks see an escape and a circle (they are not vacuous)", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-import-probe-"));
    try {
      mkdirSync(join(dir, "a", "src"), { recursive: true });
      mkdirSync(join(dir, "b"));
      writeFileSync(join(dir, "b", "y.ts"), "export const y = 1;\n");
      writeFileSync(
        join(dir, "a", "src", "x.ts"),
        'import type { Z } from "./z";\nimport { y } from "../../b/y";\n',
      );
      writeFileSync(join(dir, "a", "src", "z.ts"), 'import "./nothing";\nexport type { X } from "./x";\n');
      expect(crossPackageImports(join(dir, "a"))).toHaveLength(1);
      expect(importCycles(join(dir, "a"))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(packages).toContain("apps/web");
    expect(packages).toContain("tooling/testkit");
  });

  for (const packageDir of packages) {
    test(`${packageDir}: no relative import reaches into another package`, () => {
      expect(crossPackageImports(join(ROOT, packageDir))).toEqual([]);
    });

    test(`${packageDir}: no two files import each other, directly or around a circle`, () => {
      expect(importCycles(join(ROOT, packageDir))).toEqual([]);
    });
  }
});
