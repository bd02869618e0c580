/** The subset of Vitess' keyspace VSchema JSON the guard reads. */
export type KeyspaceVSchema = {
  sharded?: boolean;
  vindexes?: Record<string, { type: string; params?: Record<string, string>; owner?: string }>;
  tables?: Record<string, { column_vindexes?: { column?: string; columns?: string[]; name: string }[] }>;
};

export type ShardedTable = {
  keyspace: string;
  /** Each entry is a vindex's column set; pinning all columns of any one routes the query. */
  routes: string[][];
  /** The primary vindex's columns: an insert must carry them. */
  primary: string[];
  /** Every vindex column: Vitess refuses to change these in UPDATE / ON DUPLICATE KEY UPDATE. */
  vindexColumns: Set<string>;
};

export type ShardingRules = {
  sharded: Map<string, ShardedTable>;
  unsharded: Set<string>;
};

export function shardingRulesFrom(keyspaces: Record<string, KeyspaceVSchema>): ShardingRules {
  const sharded = new Map<string, ShardedTable>();
  const unsharded = new Set<string>();
  for (const [keyspace, vschema] of Object.entries(keyspaces)) {
    for (const [table, spec] of Object.entries(vschema.tables ?? {})) {
      if (!vschema.sharded) {
        unsharded.add(table.toLowerCase());
        continue;
      }
      const routes = (spec.column_vindexes ?? []).map((cv) =>
        (cv.columns ?? (cv.column ? [cv.column] : [])).map((column) => column.toLowerCase()),
      );
      const primary = routes[0];
      if (!primary || primary.length === 0) {
        throw new Error(`vschema ${keyspace}.${table}: a sharded table needs a primary vindex`);
      }
      sharded.set(table.toLowerCase(), {
        keyspace,
        routes,
        primary,
        vindexColumns: new Set(routes.flat()),
      });
    }
  }
  return { sharded, unsharded };
}
