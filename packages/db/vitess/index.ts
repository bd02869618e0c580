export { analyzeSql, findScatterStatements, formatViolations, type GuardViolation } from "./guard";
export { SHARD_TARGETED_MARKER } from "./sql-tokens";
export {
  type KeyspaceVSchema,
  PARLEY_SHARDING_RULES,
  type ShardedTable,
  type ShardingRules,
  shardingRulesFrom,
  VSCHEMAS,
} from "./vschema";
