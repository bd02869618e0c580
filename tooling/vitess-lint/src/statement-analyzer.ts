import { closePins, conditionFacts, type Facts, mergeFacts, type Scope } from "./conditions";
import type { ShardedTable, ShardingRules } from "./sharding-rules";
import type { Token } from "./sql-tokens";
import { GUARDED_STATEMENTS, JOIN_WORDS, SELECT_CLAUSES, SYSTEM_SCHEMAS } from "./sql-words";
import { TokenCursor } from "./token-cursor";

export type GuardViolation = { sql: string; table: string; reason: string };

/**
 * Reads one statement's tokens the way vtgate plans it: query blocks (SELECT, subqueries, derived
 * tables, UNION parts) each with their tables, and the equalities that pin columns to values.
 */
export class StatementAnalyzer extends TokenCursor {
  private nextRefId = 0;
  /** JOIN … USING (col) equalities, consumed by the next resolveScope. */
  private usingLinks: [string, string][] = [];

  constructor(
    private readonly sql: string,
    tokens: Token[],
    private readonly rules: ShardingRules,
    private readonly violations: GuardViolation[],
  ) {
    super(tokens);
  }

  run(): void {
    let s = 0;
    while (this.tok(s).kind === "(") s++;
    const first = this.tok(s).upper;
    if (!GUARDED_STATEMENTS.has(first)) return; // SET, SHOW, BEGIN, DDL, EXPLAIN, …
    const end = this.tokens.length;
    if (first === "SELECT" || first === "WITH" || s > 0) this.analyzeQuery(0, end, null);
    else if (first === "INSERT" || first === "REPLACE") this.analyzeInsert(0, end);
    else if (first === "UPDATE") this.analyzeUpdate(0, end);
    else this.analyzeDelete(0, end);
  }

  private report(table: string, reason: string): void {
    this.violations.push({ sql: this.sql, table, reason });
  }

  // ── statements ────────────────────────────────────────────────────────────────────────────────

  /** SELECT, possibly WITH …, UNION …, or wrapped in parentheses. */
  private analyzeQuery(s: number, e: number, parent: Scope | null): void {
    while (this.tok(s).kind === "(" && this.close(s) === e - 1) {
      s++;
      e--;
    }
    if (this.isWord(s, "WITH")) {
      let i = s + 1;
      if (this.isWord(i, "RECURSIVE")) i++;
      // name [(cols)] AS (query) [, …] — each body is its own query block.
      while (i < e) {
        const open = this.topLevel(i, e, (k) => this.isWord(k, "AS"))[0];
        if (open === undefined || this.tok(open + 1).kind !== "(") break;
        const close = this.close(open + 1);
        this.analyzeQuery(open + 2, close, parent);
        i = close + 1;
        if (this.tok(i).kind !== ",") break;
        i++;
      }
      this.analyzeQuery(i, e, parent);
      return;
    }
    const setOps = (i: number) =>
      this.isWord(i, "UNION") || this.isWord(i, "EXCEPT") || this.isWord(i, "INTERSECT");
    const parts = this.splitTopLevel(s, e, setOps);
    if (parts.length > 1) {
      for (const [ps, pe] of parts) {
        let start = ps;
        if (this.isWord(start, "ALL") || this.isWord(start, "DISTINCT")) start++;
        this.analyzeQuery(start, pe, parent);
      }
      return;
    }
    this.analyzeSelectBlock(s, e, parent);
  }

  private analyzeSelectBlock(s: number, e: number, parent: Scope | null): void {
    const scope = this.newScope(parent);
    const clauses = this.topLevel(s + 1, e, (i) => {
      const token = this.tok(i);
      return token.kind === "word" && SELECT_CLAUSES.has(token.upper);
    });
    const conditions: [number, number][] = [];
    const handled = new Set<number>();
    const clauseEnd = (at: number) => clauses.find((c) => c > at) ?? e;
    for (const at of clauses) {
      const upper = this.tok(at).upper;
      if (upper === "FROM") this.parseTableRefs(at + 1, clauseEnd(at), scope, conditions, handled);
      if (upper === "WHERE" || upper === "HAVING") conditions.push([at + 1, clauseEnd(at)]);
    }
    this.resolveScope(scope, conditions);
    this.checkRouted(scope);
    this.analyzeSubqueries(s, e, scope, handled);
  }

  private analyzeUpdate(s: number, e: number): void {
    const scope = this.newScope(null);
    const setAt = this.topLevel(s + 1, e, (i) => this.isWord(i, "SET"))[0] ?? e;
    const whereAt = this.topLevel(setAt, e, (i) => this.isWord(i, "WHERE"))[0];
    const tailAt =
      this.topLevel(whereAt ?? setAt, e, (i) => this.isWord(i, "ORDER") || this.isWord(i, "LIMIT"))[0] ?? e;
    let refsStart = s + 1;
    while (this.isWord(refsStart, "LOW_PRIORITY") || this.isWord(refsStart, "IGNORE")) refsStart++;
    const conditions: [number, number][] = [];
    const handled = new Set<number>();
    this.parseTableRefs(refsStart, setAt, scope, conditions, handled);
    if (whereAt !== undefined) conditions.push([whereAt + 1, tailAt]);
    this.checkAssignments(setAt + 1, whereAt ?? tailAt, scope, false);
    this.resolveScope(scope, conditions);
    this.checkRouted(scope);
    this.analyzeSubqueries(s, e, scope, handled);
  }

  private analyzeDelete(s: number, e: number): void {
    const scope = this.newScope(null);
    const fromAt = this.topLevel(s + 1, e, (i) => this.isWord(i, "FROM"))[0];
    if (fromAt === undefined) return;
    const usingAt = this.topLevel(fromAt, e, (i) => this.isWord(i, "USING"))[0];
    const whereAt = this.topLevel(fromAt, e, (i) => this.isWord(i, "WHERE"))[0];
    const tailAt =
      this.topLevel(whereAt ?? fromAt, e, (i) => this.isWord(i, "ORDER") || this.isWord(i, "LIMIT"))[0] ?? e;
    const refsStart = usingAt === undefined ? fromAt + 1 : usingAt + 1;
    const conditions: [number, number][] = [];
    const handled = new Set<number>();
    this.parseTableRefs(refsStart, whereAt ?? tailAt, scope, conditions, handled);
    if (whereAt !== undefined) conditions.push([whereAt + 1, tailAt]);
    this.resolveScope(scope, conditions);
    this.checkRouted(scope);
    this.analyzeSubqueries(s, e, scope, handled);
  }

  private analyzeInsert(s: number, e: number): void {
    let i = s + 1;
    while (["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"].includes(this.tok(i).upper)) i++;
    const name = this.readQualifiedName(i);
    if (!name) return;
    i = name.next;
    const rule = this.ruleFor(name.schema, name.table);
    if (this.isWord(i, "PARTITION") && this.tok(i + 1).kind === "(") i = this.close(i + 1) + 1;
    const columns = new Set<string>();
    if (this.tok(i).kind === "(" && !this.isSubqueryOpen(i)) {
      const close = this.close(i);
      for (let k = i + 1; k < close; k++) {
        const token = this.tok(k);
        if ((token.kind === "word" || token.kind === "ident") && this.tok(k + 1).kind !== ".") {
          columns.add(token.value);
        }
      }
      i = close + 1;
    }
    const odkuAt = this.topLevel(i, e, (k) => this.isWord(k, "ON") && this.isWord(k + 1, "DUPLICATE"))[0];
    const bodyEnd = odkuAt ?? e;
    if (this.isWord(i, "SET")) {
      for (const [as] of this.splitTopLevel(i + 1, bodyEnd, (k) => this.tok(k).kind === ",")) {
        const column = this.readColumn(as);
        if (column) columns.add(column.column);
      }
    }
    if (rule) {
      // vtgate routes the row by its primary vindex and writes owned lookup rows: it needs them all.
      const missing = [...rule.vindexColumns].filter((column) => !columns.has(column));
      if (missing.length > 0) {
        this.report(
          name.table,
          `INSERT INTO ${name.table} without its vindex column(s) (${missing.join(", ")})`,
        );
      }
    }
    // INSERT … SELECT: the SELECT is a query of its own and must be routed too.
    const selectAt = this.topLevel(i, bodyEnd, (k) => this.isWord(k, "SELECT") || this.isWord(k, "WITH"))[0];
    if (selectAt !== undefined) this.analyzeQuery(selectAt, bodyEnd, null);
    const scope = this.newScope(null);
    if (rule) scope.tables.push({ id: this.nextRefId++, table: name.table, alias: name.table, rule });
    if (odkuAt !== undefined) {
      // ON DUPLICATE KEY UPDATE
      this.checkAssignments(odkuAt + 4, e, scope, true);
    }
    const skip = new Set<number>();
    if (selectAt !== undefined) {
      for (let k = selectAt; k < bodyEnd; k++) skip.add(k);
    }
    this.analyzeSubqueries(i, e, scope, skip);
  }

  // ── FROM / JOIN ───────────────────────────────────────────────────────────────────────────────

  private newScope(parent: Scope | null): Scope {
    return { tables: [], parent, pinned: new Set() };
  }

  private ruleFor(schema: string | null, table: string): ShardedTable | undefined {
    if (schema && SYSTEM_SCHEMAS.has(schema)) return undefined;
    return this.rules.sharded.get(table);
  }

  /**
   * Table references of a FROM / UPDATE / DELETE … USING clause: tables, aliases, derived tables,
   * JOIN … ON / USING. ON conditions are collected; derived tables are analysed as their own blocks.
   */
  private parseTableRefs(
    s: number,
    e: number,
    scope: Scope,
    conditions: [number, number][],
    handled: Set<number>,
  ): void {
    let i = s;
    while (i < e) {
      const token = this.tok(i);
      if (token.kind === "," || (token.kind === "word" && JOIN_WORDS.has(token.upper))) {
        i++;
        continue;
      }
      const before = scope.tables.length;
      if (token.kind === "(") {
        const close = this.close(i);
        if (this.isSubqueryOpen(i)) {
          handled.add(i);
          this.analyzeQuery(i + 1, close, scope.parent);
          i = close + 1;
          const alias = this.readAlias(i);
          i = alias.next;
          scope.tables.push({ id: this.nextRefId++, table: null, alias: alias.alias ?? "", rule: undefined });
        } else {
          this.parseTableRefs(i + 1, close, scope, conditions, handled);
          i = close + 1;
        }
      } else {
        const name = this.readQualifiedName(i);
        if (!name) {
          i++;
          continue;
        }
        i = name.next;
        const alias = this.readAlias(i);
        i = alias.next;
        scope.tables.push({
          id: this.nextRefId++,
          table: name.table,
          alias: alias.alias ?? name.table,
          rule: this.ruleFor(name.schema, name.table),
        });
        // Index hints and partitions carry no routing information.
        while (
          (this.isWord(i, "USE") ||
            this.isWord(i, "FORCE") ||
            this.isWord(i, "IGNORE") ||
            this.isWord(i, "PARTITION")) &&
          i < e
        ) {
          while (i < e && this.tok(i).kind !== "(") i++;
          i = this.close(i) + 1;
        }
      }
      if (this.isWord(i, "ON")) {
        const end =
          this.topLevel(i + 1, e, (k) => {
            const t = this.tok(k);
            return (
              t.kind === "," || (t.kind === "word" && JOIN_WORDS.has(t.upper) && this.tok(k + 1).kind !== "(")
            );
          })[0] ?? e;
        conditions.push([i + 1, end]);
        i = end;
      } else if (this.isWord(i, "USING") && this.tok(i + 1).kind === "(") {
        const close = this.close(i + 1);
        const added = scope.tables.slice(before);
        const earlier = scope.tables.slice(0, before);
        for (let k = i + 2; k < close; k++) {
          const t = this.tok(k);
          if (t.kind !== "word" && t.kind !== "ident") continue;
          for (const a of added) {
            for (const b of earlier) this.usingLinks.push([`${a.id}.${t.value}`, `${b.id}.${t.value}`]);
          }
        }
        i = close + 1;
      }
    }
  }

  // ── routing ───────────────────────────────────────────────────────────────────────────────────

  private resolveScope(scope: Scope, conditions: [number, number][]): void {
    const facts: Facts = { pins: new Set(), links: [...this.usingLinks] };
    this.usingLinks = [];
    for (const [cs, ce] of conditions) mergeFacts(facts, conditionFacts(this, cs, ce, scope));
    const inherited = new Set<string>();
    for (let p = scope.parent; p; p = p.parent) for (const key of p.pinned) inherited.add(key);
    scope.pinned = closePins(facts, inherited);
  }

  private checkRouted(scope: Scope): void {
    for (const ref of scope.tables) {
      const rule = ref.rule;
      if (!rule || ref.table === null) continue;
      const isRouted = rule.routes.some((columns) =>
        columns.every((c) => scope.pinned.has(`${ref.id}.${c}`)),
      );
      if (isRouted) continue;
      const keys = rule.routes.map((columns) => columns.join(", ")).join(" | ");
      const name = ref.alias === ref.table ? ref.table : `${ref.table} AS ${ref.alias}`;
      this.report(
        ref.table,
        `scatter: ${name} is not constrained by its sharding key (${keys}) with = or IN`,
      );
    }
  }

  /** UPDATE … SET and ON DUPLICATE KEY UPDATE: vtgate refuses to change a vindex column. */
  private checkAssignments(s: number, e: number, scope: Scope, isUpsert: boolean): void {
    for (const [as, ae] of this.splitTopLevel(s, e, (k) => this.tok(k).kind === ",")) {
      const eqAt = this.topLevel(as, ae, (k) => this.tok(k).kind === "op" && this.tok(k).value === "=")[0];
      if (eqAt === undefined) continue;
      const target = this.readColumnRef(as, eqAt);
      if (!target) continue;
      const tables =
        target.qualifier === null ? scope.tables : scope.tables.filter((t) => t.alias === target.qualifier);
      for (const table of tables) {
        if (!table.rule?.vindexColumns.has(target.column) || table.table === null) continue;
        // VALUES(col) re-assigns the same value: the one upsert form vtgate accepts on a vindex column.
        const isSameValue =
          isUpsert &&
          this.isWord(eqAt + 1, "VALUES") &&
          this.tok(eqAt + 2).kind === "(" &&
          this.close(eqAt + 2) === ae - 1 &&
          this.readColumnRef(eqAt + 3, ae - 1)?.column === target.column;
        if (isSameValue) continue;
        const clause = isUpsert ? "ON DUPLICATE KEY UPDATE" : "UPDATE … SET";
        this.report(
          table.table,
          `${clause} assigns vindex column ${table.table}.${target.column} (Vitess refuses; assign a non-key column, e.g. col = col, for a no-op upsert)`,
        );
      }
    }
  }

  /** Subqueries directly inside [s, e) (not nested in another subquery), each its own block. */
  private analyzeSubqueries(s: number, e: number, scope: Scope, skip: Set<number>): void {
    for (let i = s; i < e; i++) {
      if (this.tok(i).kind !== "(") continue;
      if (skip.has(i)) {
        i = this.close(i);
        continue;
      }
      if (this.isSubqueryOpen(i)) {
        const close = this.close(i);
        this.analyzeQuery(i + 1, close, scope);
        i = close;
      }
    }
  }
}
