/**
 * How WHERE / ON / HAVING conditions pin columns: `col = value`, `col IN (values)`, row constructors,
 * AND of pins, OR only where every branch pins the same column, and column = column links that carry
 * a pin from one table to another.
 */
import type { ShardedTable } from "./sharding-rules";
import type { TokenCursor } from "./token-cursor";

export type TableRef = { id: number; table: string | null; alias: string; rule: ShardedTable | undefined };

export type Scope = {
  tables: TableRef[];
  parent: Scope | null;
  /** Column keys (`<ref id>.<column>`) pinned to values in this block and its ancestors. */
  pinned: Set<string>;
};

/** What a condition says about routing: columns pinned to values, and column = column links. */
export type Facts = { pins: Set<string>; links: [string, string][] };

/** Facts of a boolean condition: columns pinned to values, and column = column links. */
export function conditionFacts(cursor: TokenCursor, s: number, e: number, scope: Scope): Facts {
  // Unwrap ( … ) around a whole condition, but not a row constructor `(a, b) IN …` or a subquery.
  while (
    cursor.tok(s).kind === "(" &&
    cursor.close(s) === e - 1 &&
    !cursor.isSubqueryOpen(s) &&
    cursor.topLevel(s + 1, e - 1, (k) => cursor.tok(k).kind === ",").length === 0
  ) {
    s++;
    e--;
  }
  const isOr = (k: number) =>
    cursor.isWord(k, "OR") ||
    cursor.isWord(k, "XOR") ||
    (cursor.tok(k).kind === "op" && cursor.tok(k).value === "||");
  const disjuncts = cursor.splitTopLevel(s, e, isOr);
  if (disjuncts.length > 1) {
    // A column is pinned by an OR only if every branch pins it (to a finite set of values).
    const branches = disjuncts.map(([ds, de]) => closePins(conditionFacts(cursor, ds, de, scope), new Set()));
    const [first, ...rest] = branches;
    const common = [...(first ?? [])].filter((key) => rest.every((branch) => branch.has(key)));
    return { pins: new Set(common), links: [] };
  }
  const conjuncts = splitConjuncts(cursor, s, e);
  if (conjuncts.length > 1) {
    const facts: Facts = { pins: new Set(), links: [] };
    for (const [cs, ce] of conjuncts) mergeFacts(facts, conditionFacts(cursor, cs, ce, scope));
    return facts;
  }
  return predicateFacts(cursor, s, e, scope);
}
/** Splits on top-level AND / &&, keeping `BETWEEN x AND y` whole. */
export function splitConjuncts(cursor: TokenCursor, s: number, e: number): [number, number][] {
  let betweenOpen = false;
  return cursor.splitTopLevel(s, e, (k) => {
    if (cursor.isWord(k, "BETWEEN")) {
      betweenOpen = true;
      return false;
    }
    const isAnd = cursor.isWord(k, "AND") || (cursor.tok(k).kind === "op" && cursor.tok(k).value === "&&");
    if (isAnd && betweenOpen) {
      betweenOpen = false;
      return false;
    }
    return isAnd;
  });
}
export function predicateFacts(cursor: TokenCursor, s: number, e: number, scope: Scope): Facts {
  const facts: Facts = { pins: new Set(), links: [] };
  if (cursor.isWord(s, "NOT")) return facts;
  const eqAt = cursor.topLevel(s, e, (k) => {
    const t = cursor.tok(k);
    return t.kind === "op" && (t.value === "=" || t.value === "<=>");
  })[0];
  if (eqAt !== undefined) {
    const left = columnKeys(cursor, s, eqAt, scope);
    const right = columnKeys(cursor, eqAt + 1, e, scope);
    if (left && right) {
      for (const a of left) for (const b of right) facts.links.push([a, b]);
    } else if (left && cursor.isValue(eqAt + 1, e)) {
      for (const key of left) facts.pins.add(key);
    } else if (right && cursor.isValue(s, eqAt)) {
      for (const key of right) facts.pins.add(key);
    }
    return facts;
  }
  const inAt = cursor.topLevel(s, e, (k) => cursor.isWord(k, "IN") && !cursor.isWord(k - 1, "NOT"))[0];
  if (inAt === undefined || cursor.tok(inAt + 1).kind !== "(" || cursor.close(inAt + 1) !== e - 1)
    return facts;
  if (cursor.isSubqueryOpen(inAt + 1)) return facts;
  const items = cursor.splitTopLevel(inAt + 2, e - 1, (k) => cursor.tok(k).kind === ",");
  const single = columnKeys(cursor, s, inAt, scope);
  if (single) {
    if (items.every(([is, ie]) => cursor.isValue(is, ie))) for (const key of single) facts.pins.add(key);
    return facts;
  }
  // Row constructor: (a, b) IN ((?, ?), (?, ?)) pins each position whose values are all values.
  if (cursor.tok(s).kind !== "(" || cursor.close(s) !== inAt - 1) return facts;
  const columns = cursor
    .splitTopLevel(s + 1, inAt - 1, (k) => cursor.tok(k).kind === ",")
    .map(([cs, ce]) => columnKeys(cursor, cs, ce, scope));
  const rows = items.map(([is, ie]) => {
    if (cursor.tok(is).kind !== "(" || cursor.close(is) !== ie - 1) return null;
    return cursor.splitTopLevel(is + 1, ie - 1, (k) => cursor.tok(k).kind === ",");
  });
  columns.forEach((keys, position) => {
    if (!keys) return;
    const allValues = rows.every((row) => {
      const cell = row?.[position];
      return cell !== undefined && row?.length === columns.length && cursor.isValue(cell[0], cell[1]);
    });
    if (allValues) for (const key of keys) facts.pins.add(key);
  });
  return facts;
}
/** The column keys a reference may denote: qualified → that table; bare → every table of the block. */
export function columnKeys(cursor: TokenCursor, s: number, e: number, scope: Scope): string[] | null {
  const ref = cursor.readColumnRef(s, e);
  if (!ref) return null;
  if (ref.qualifier === null) return scope.tables.map((t) => `${t.id}.${ref.column}`);
  for (let sc: Scope | null = scope; sc; sc = sc.parent) {
    const table = sc.tables.find((t) => t.alias === ref.qualifier);
    if (table) return [`${table.id}.${ref.column}`];
  }
  return [];
}
export function mergeFacts(into: Facts, from: Facts): void {
  for (const key of from.pins) into.pins.add(key);
  into.links.push(...from.links);
}

/** Pins spread along column = column links until nothing changes (a tiny union-find would do too). */
export function closePins(facts: Facts, inherited: Set<string>): Set<string> {
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
