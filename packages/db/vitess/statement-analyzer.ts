import { EOF, matchParens, type Token } from "./sql-tokens";
import {
  GUARDED_STATEMENTS,
  JOIN_WORDS,
  NOT_AN_ALIAS,
  SELECT_CLAUSES,
  SYSTEM_SCHEMAS,
  VALUE_WORDS,
} from "./sql-words";
import type { ShardedTable, ShardingRules } from "./vschema";

export type GuardViolation = { sql: string; table: string; reason: string };

type TableRef = { id: number; table: string | null; alias: string; rule: ShardedTable | undefined };

type Scope = {
  tables: TableRef[];
  parent: Scope | null;
  /** Column keys (`<ref id>.<column>`) pinned to values in this block and its ancestors. */
  pinned: Set<string>;
};

type Facts = { pins: Set<string>; links: [string, string][] };

/**
 * Reads one statement's tokens the way vtgate plans it: query blocks (SELECT, subqueries, derived
 * tables, UNION parts) each with their tables, and the equalities that pin columns to values.
 */
export class StatementAnalyzer {
  private readonly match: Int32Array;
  private nextRefId = 0;
  /** JOIN … USING (col) equalities, consumed by the next resolveScope. */
  private usingLinks: [string, string][] = [];

  constructor(
    private readonly sql: string,
    private readonly tokens: Token[],
    private readonly rules: ShardingRules,
    private readonly violations: GuardViolation[],
  ) {
    this.match = matchParens(tokens);
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

  // ── tokens ────────────────────────────────────────────────────────────────────────────────────

  private tok(i: number): Token {
    return this.tokens[i] ?? EOF;
  }

  private isWord(i: number, upper: string): boolean {
    const token = this.tok(i);
    return token.kind === "word" && token.upper === upper;
  }

  private close(i: number): number {
    const m = this.match[i];
    return m === undefined || m < 0 ? this.tokens.length : m;
  }

  private isSubqueryOpen(i: number): boolean {
    if (this.tok(i).kind !== "(") return false;
    let j = i + 1;
    while (this.tok(j).kind === "(") j++;
    return this.isWord(j, "SELECT") || this.isWord(j, "WITH");
  }

  /** Positions in [s, e) at paren depth 0 (relative to s) where `test` holds. */
  private topLevel(s: number, e: number, test: (i: number) => boolean): number[] {
    const found: number[] = [];
    for (let i = s; i < e; i++) {
      if (this.tok(i).kind === "(") {
        i = this.close(i);
        continue;
      }
      if (test(i)) found.push(i);
    }
    return found;
  }

  private splitTopLevel(s: number, e: number, isSeparator: (i: number) => boolean): [number, number][] {
    const parts: [number, number][] = [];
    let start = s;
    for (const at of this.topLevel(s, e, isSeparator)) {
      parts.push([start, at]);
      start = at + 1;
    }
    parts.push([start, e]);
    return parts;
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

  private readQualifiedName(i: number): { schema: string | null; table: string; next: number } | null {
    const first = this.tok(i);
    if (first.kind !== "word" && first.kind !== "ident") return null;
    if (this.tok(i + 1).kind === "." && ["word", "ident"].includes(this.tok(i + 2).kind)) {
      return { schema: first.value, table: this.tok(i + 2).value, next: i + 3 };
    }
    return { schema: null, table: first.value, next: i + 1 };
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

  private readAlias(i: number): { alias: string | null; next: number } {
    if (this.isWord(i, "AS")) return { alias: this.tok(i + 1).value, next: i + 2 };
    const token = this.tok(i);
    if (token.kind === "ident" || (token.kind === "word" && !NOT_AN_ALIAS.has(token.upper))) {
      return { alias: token.value, next: i + 1 };
    }
    return { alias: null, next: i };
  }

  // ── conditions ────────────────────────────────────────────────────────────────────────────────

  private resolveScope(scope: Scope, conditions: [number, number][]): void {
    const facts: Facts = { pins: new Set(), links: [...this.usingLinks] };
    this.usingLinks = [];
    for (const [cs, ce] of conditions) mergeFacts(facts, this.conditionFacts(cs, ce, scope));
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

  /** Facts of a boolean condition: columns pinned to values, and column = column links. */
  private conditionFacts(s: number, e: number, scope: Scope): Facts {
    // Unwrap ( … ) around a whole condition, but not a row constructor `(a, b) IN …` or a subquery.
    while (
      this.tok(s).kind === "(" &&
      this.close(s) === e - 1 &&
      !this.isSubqueryOpen(s) &&
      this.topLevel(s + 1, e - 1, (k) => this.tok(k).kind === ",").length === 0
    ) {
      s++;
      e--;
    }
    const isOr = (k: number) =>
      this.isWord(k, "OR") ||
      this.isWord(k, "XOR") ||
      (this.tok(k).kind === "op" && this.tok(k).value === "||");
    const disjuncts = this.splitTopLevel(s, e, isOr);
    if (disjuncts.length > 1) {
      // A column is pinned by an OR only if every branch pins it (to a finite set of values).
      const branches = disjuncts.map(([ds, de]) => closePins(this.conditionFacts(ds, de, scope), new Set()));
      const [first, ...rest] = branches;
      const common = [...(first ?? [])].filter((key) => rest.every((branch) => branch.has(key)));
      return { pins: new Set(common), links: [] };
    }
    const conjuncts = this.splitConjuncts(s, e);
    if (conjuncts.length > 1) {
      const facts: Facts = { pins: new Set(), links: [] };
      for (const [cs, ce] of conjuncts) mergeFacts(facts, this.conditionFacts(cs, ce, scope));
      return facts;
    }
    return this.predicateFacts(s, e, scope);
  }

  /** Splits on top-level AND / &&, keeping `BETWEEN x AND y` whole. */
  private splitConjuncts(s: number, e: number): [number, number][] {
    let betweenOpen = false;
    return this.splitTopLevel(s, e, (k) => {
      if (this.isWord(k, "BETWEEN")) {
        betweenOpen = true;
        return false;
      }
      const isAnd = this.isWord(k, "AND") || (this.tok(k).kind === "op" && this.tok(k).value === "&&");
      if (isAnd && betweenOpen) {
        betweenOpen = false;
        return false;
      }
      return isAnd;
    });
  }

  private predicateFacts(s: number, e: number, scope: Scope): Facts {
    const facts: Facts = { pins: new Set(), links: [] };
    if (this.isWord(s, "NOT")) return facts;
    const eqAt = this.topLevel(s, e, (k) => {
      const t = this.tok(k);
      return t.kind === "op" && (t.value === "=" || t.value === "<=>");
    })[0];
    if (eqAt !== undefined) {
      const left = this.columnKeys(s, eqAt, scope);
      const right = this.columnKeys(eqAt + 1, e, scope);
      if (left && right) {
        for (const a of left) for (const b of right) facts.links.push([a, b]);
      } else if (left && this.isValue(eqAt + 1, e)) {
        for (const key of left) facts.pins.add(key);
      } else if (right && this.isValue(s, eqAt)) {
        for (const key of right) facts.pins.add(key);
      }
      return facts;
    }
    const inAt = this.topLevel(s, e, (k) => this.isWord(k, "IN") && !this.isWord(k - 1, "NOT"))[0];
    if (inAt === undefined || this.tok(inAt + 1).kind !== "(" || this.close(inAt + 1) !== e - 1) return facts;
    if (this.isSubqueryOpen(inAt + 1)) return facts;
    const items = this.splitTopLevel(inAt + 2, e - 1, (k) => this.tok(k).kind === ",");
    const single = this.columnKeys(s, inAt, scope);
    if (single) {
      if (items.every(([is, ie]) => this.isValue(is, ie))) for (const key of single) facts.pins.add(key);
      return facts;
    }
    // Row constructor: (a, b) IN ((?, ?), (?, ?)) pins each position whose values are all values.
    if (this.tok(s).kind !== "(" || this.close(s) !== inAt - 1) return facts;
    const columns = this.splitTopLevel(s + 1, inAt - 1, (k) => this.tok(k).kind === ",").map(([cs, ce]) =>
      this.columnKeys(cs, ce, scope),
    );
    const rows = items.map(([is, ie]) => {
      if (this.tok(is).kind !== "(" || this.close(is) !== ie - 1) return null;
      return this.splitTopLevel(is + 1, ie - 1, (k) => this.tok(k).kind === ",");
    });
    columns.forEach((keys, position) => {
      if (!keys) return;
      const allValues = rows.every((row) => {
        const cell = row?.[position];
        return cell !== undefined && row?.length === columns.length && this.isValue(cell[0], cell[1]);
      });
      if (allValues) for (const key of keys) facts.pins.add(key);
    });
    return facts;
  }

  /** A column reference spanning exactly [s, e): `col`, `t.col`, `db.t.col`, optionally in parens. */
  private readColumnRef(s: number, e: number): { qualifier: string | null; column: string } | null {
    while (this.tok(s).kind === "(" && this.close(s) === e - 1) {
      s++;
      e--;
    }
    const isName = (k: number) => {
      const t = this.tok(k);
      return t.kind === "ident" || (t.kind === "word" && !VALUE_WORDS.has(t.upper));
    };
    const length = e - s;
    if (length === 1 && isName(s) && this.tok(s + 1).kind !== "(")
      return { qualifier: null, column: this.tok(s).value };
    if (length === 3 && isName(s) && this.tok(s + 1).kind === "." && isName(s + 2)) {
      return { qualifier: this.tok(s).value, column: this.tok(s + 2).value };
    }
    if (length === 5 && isName(s) && this.tok(s + 1).kind === "." && this.tok(s + 3).kind === ".") {
      return { qualifier: this.tok(s + 2).value, column: this.tok(s + 4).value };
    }
    return null;
  }

  private readColumn(s: number): { qualifier: string | null; column: string } | null {
    if (this.tok(s + 1).kind === "." && this.tok(s + 3).kind === ".") return this.readColumnRef(s, s + 5);
    if (this.tok(s + 1).kind === ".") return this.readColumnRef(s, s + 3);
    return this.readColumnRef(s, s + 1);
  }

  /** The column keys a reference may denote: qualified → that table; bare → every table of the block. */
  private columnKeys(s: number, e: number, scope: Scope): string[] | null {
    const ref = this.readColumnRef(s, e);
    if (!ref) return null;
    if (ref.qualifier === null) return scope.tables.map((t) => `${t.id}.${ref.column}`);
    for (let sc: Scope | null = scope; sc; sc = sc.parent) {
      const table = sc.tables.find((t) => t.alias === ref.qualifier);
      if (table) return [`${table.id}.${ref.column}`];
    }
    return [];
  }

  /** True when [s, e) is an expression of parameters, literals and functions only (no column, no subquery). */
  private isValue(s: number, e: number): boolean {
    if (e <= s) return false;
    for (let k = s; k < e; k++) {
      const t = this.tok(k);
      if (t.kind === "ident" || t.kind === ".") return false;
      if (t.kind === "(" && this.isSubqueryOpen(k)) return false;
      if (t.kind === "word" && !VALUE_WORDS.has(t.upper) && this.tok(k + 1).kind !== "(") return false;
    }
    return true;
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

function mergeFacts(into: Facts, from: Facts): void {
  for (const key of from.pins) into.pins.add(key);
  into.links.push(...from.links);
}

/** Pins spread along column = column links until nothing changes (a tiny union-find would do too). */
function closePins(facts: Facts, inherited: Set<string>): Set<string> {
  const pinned = new Set([...inherited, ...facts.pins]);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [a, b] of facts.links) {
      if (pinned.has(a) && !pinned.has(b)) {
        pinned.add(b);
        changed = true;
      } else if (pinned.has(b) && !pinned.has(a)) {
        pinned.add(a);
        changed = true;
      }
    }
  }
  return pinned;
}
