import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname, totalmem } from "node:os";
import { join } from "node:path";

/** One row of a bench's result table; keys become columns (first row's key order). */
export type Row = Record<string, string | number | null>;

export type BenchReport = {
  bench: string;
  at: string;
  machine: { host: string; cpus: number; cpuModel: string; memoryGb: number; bun: string };
  rows: Row[];
  notes: Record<string, unknown>;
};

export const RESULTS_DIR = join(import.meta.dir, "..", "results");

/** Renders rows as an aligned text table: numbers right-aligned with thousands separators. */
export function formatTable(rows: Row[]): string {
  const first = rows[0];
  if (!first) return "(no rows)";
  const columns = Object.keys(first);
  const cell = (value: string | number | null | undefined) =>
    value === null || value === undefined ? "-" : typeof value === "number" ? formatNumber(value) : value;
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[], numeric: boolean[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join("  ");
  const isNumeric = columns.map((column) => rows.every((row) => typeof row[column] !== "string"));
  return [
    line(columns, isNumeric),
    line(
      widths.map((width) => "-".repeat(width)),
      isNumeric,
    ),
    ...rows.map((row) =>
      line(
        columns.map((column) => cell(row[column])),
        isNumeric,
      ),
    ),
  ].join("\n");
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * Prints the table and the JSON to stdout and writes bench/results/<name>.json (gitignored: figures
 * of this machine; docs/capacity.md quotes the ones that matter).
 */
export function report(name: string, rows: Row[], notes: Record<string, unknown> = {}): BenchReport {
  const cpuList = cpus();
  const result: BenchReport = {
    bench: name,
    at: new Date().toISOString(),
    machine: {
      host: hostname(),
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? "unknown",
      memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      bun: Bun.version,
    },
    rows,
    notes,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n== ${name} ==\n${formatTable(rows)}\n`);
  console.log(JSON.stringify(result));
  console.log(`(written to ${file})`);
  return result;
}
