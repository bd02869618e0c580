import type { ScenarioResult } from "./run-scenario";

const COLUMNS = [
  "scenario",
  "seed",
  "sent",
  "acked",
  "failed (why)",
  "false fail",
  "lost",
  "dup",
  "order",
  "sender order",
  "phantom",
  "unsettled",
  "changes (refused)",
  "state diff",
  "renames (failed)",
  "name diff",
  "converge s",
  "tail s",
  "result",
] as const;

function row(result: ScenarioResult): string[] {
  const f = result.findings;
  const reasons = Object.entries(f.failedReasons)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return [
    result.scenario,
    String(result.seed),
    String(f.sent),
    String(f.acked),
    `${f.failed}${reasons ? ` (${reasons})` : ""}`,
    String(f.falseFailures + f.missedRefusals),
    String(f.lost + f.ackedButMissing),
    String(f.duplicates),
    String(f.orderViolations),
    String(f.senderOrderViolations),
    String(f.phantoms + f.failedButCommitted),
    String(f.unsettled),
    `${f.changes} (${f.changesRefused})`,
    String(f.stateMismatches + f.changeFailures),
    `${f.renames} (${f.renamesFailed})`,
    `${f.nameMismatches}${f.namesByReconnect > 0 ? ` (${f.namesByReconnect} by reconnect)` : ""}`,
    result.convergenceSeconds === null ? "never" : result.convergenceSeconds.toFixed(1),
    result.quietTailSeconds === undefined
      ? "-"
      : result.quietTailSeconds === null
        ? "never"
        : result.quietTailSeconds.toFixed(1),
    result.error ? "ERROR" : result.passed ? "ok" : "FAIL",
  ];
}

/** A fixed-width table, one row per scenario and seed. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = [COLUMNS as readonly string[], ...results.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ");
  return [line(rows[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join(
    "\n",
  );
}

/** What went wrong, per failing scenario: the injected faults, then the first violations found. */
export function formatFailures(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    if (result.passed) continue;
    out.push(`\n${result.scenario} (seed ${result.seed}):`);
    if (result.error) out.push(`  could not run: ${result.error}`);
    for (const fault of result.faults) out.push(`  fault +${fault.atMs} ms ${fault.kind}: ${fault.detail}`);
    if (result.convergenceSeconds === null && !result.error) out.push("  did not converge within the bound");
    for (const detail of result.findings.details) out.push(`  - ${detail}`);
    const errors = Object.entries(result.engineErrors).map(([key, count]) => `${key} ×${count}`);
    if (errors.length > 0) out.push(`  engine errors: ${errors.join(", ")}`);
  }
  return out.join("\n");
}
