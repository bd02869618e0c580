import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT } from "./apps";

/**
 * Reading the workspace's import graph as text, for the import-rule tests: every package folder,
 * every TypeScript file in it (tests included), and every import and export-from in a file.
 */

export type SourceImport = { specifier: string; isTypeOnly: boolean };

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

const SKIPPED = new Set(["node_modules", "test-results", "results"]);

/** Every workspace package folder (apps/*, packages/*, tooling/*, bench), relative to the repo root. */
export function workspacePackages(): string[] {
  const packages: string[] = [];
  for (const group of ["apps", "packages", "tooling"]) {
    for (const name of readdirSync(join(REPO_ROOT, group))) {
      if (existsSync(join(REPO_ROOT, group, name, "package.json"))) packages.push(`${group}/${name}`);
    }
  }
  packages.push("bench");
  return packages;
}

export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIPPED.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(name)) files.push(path);
  }
  return files;
}

export function importsOf(file: string): SourceImport[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((match) => ({
    specifier: match[3] ?? match[4] ?? "",
    isTypeOnly: match[2] !== undefined,
  }));
}

/**
 * The file a relative (or `~/`, the web app's alias for its src) specifier names, or null for a
 * package import or a file that does not exist.
 */
export function resolveLocal(from: string, specifier: string, packageDir: string): string | null {
  let base: string;
  if (specifier.startsWith(".")) base = resolve(dirname(from), specifier);
  else if (specifier.startsWith("~/")) base = join(packageDir, "src", specifier.slice(2));
  else return null;
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, "index.ts"),
    join(base, "index.tsx"),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Files importing each other in a circle (type-only imports count: they tie the modules together too). */
export function importCycles(packageDir: string): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(packageDir)) {
    const local = importsOf(file).map(({ specifier }) => resolveLocal(file, specifier, packageDir));
    graph.set(
      file,
      local.filter((target): target is string => target !== null),
    );
  }
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => component.map((file) => relative(REPO_ROOT, file)).sort());
}

/** Tarjan's strongly connected components. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}
