import type { ShardingRules } from "./sharding-rules";
import { SHARD_TARGETED_MARKER, tokenize } from "./sql-tokens";
import { type GuardViolation, StatementAnalyzer } from "./statement-analyzer";

export type { GuardViolation } from "./statement-analyzer";

/**
 * The scatter guard: reads SQL the way vtgate routes it. A statement on a sharded table must pin one
 * of the table's vindexes (all its columns) to values with `=` / `IN` — directly, through a join
 * equality to a pinned column, or from an enclosing query — or vtgate sends it to every shard.
 * Inserts must carry every vindex column; UPDATE and ON DUPLICATE KEY UPDATE must not change a
 * vindex column (vtgate refuses both). Statements marked `/* vitess:shard-targeted *\/` (per-shard
 * jobs) and statements that touch no sharded table pass. Deliberately conservative where SQL is
 * ambiguous to a tokenizer: an unqualified column counts for every table in its query block.
 */

/** Finds the violations in one SQL string (possibly several `;`-separated statements). */
export function analyzeSql(sql: string, rules: ShardingRules): GuardViolation[] {
  const { tokens, comments } = tokenize(sql);
  if (comments.some((comment) => comment.includes(SHARD_TARGETED_MARKER))) return [];
  const violations: GuardViolation[] = [];
  let start = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i === tokens.length || tokens[i]?.kind === ";") {
      if (i > start) new StatementAnalyzer(sql, tokens.slice(start, i), rules, violations).run();
      start = i + 1;
    }
  }
  return violations;
}

/** Every violation in a list of captured statements; each distinct SQL text is analysed once. */
export function findScatterStatements(statements: Iterable<string>, rules: ShardingRules): GuardViolation[] {
  const seen = new Set<string>();
  const violations: GuardViolation[] = [];
  for (const sql of statements) {
    if (seen.has(sql)) continue;
    seen.add(sql);
    violations.push(...analyzeSql(sql, rules));
  }
  return violations;
}

export function formatViolations(violations: GuardViolation[]): string {
  return violations
    .map((v) => `  - ${v.reason}\n    ${v.sql.replace(/\s+/g, " ").trim().slice(0, 400)}`)
    .join("\n");
}
