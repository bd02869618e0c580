/**
 * The scatter guard: reads SQL the way vtgate routes it, against the rules of a set of VSchemas.
 * Test tooling only: @parley/db's test database runs it on every statement a test sends, with the
 * VSchemas of packages/db/vitess; production code never parses SQL.
 */
export { analyzeSql, findScatterStatements, formatViolations } from "./guard";
export {
  type KeyspaceVSchema,
  type ShardedTable,
  type ShardingRules,
  shardingRulesFrom,
} from "./sharding-rules";
export { SHARD_TARGETED_MARKER } from "./sql-tokens";
export type { GuardViolation } from "./statement-analyzer";
