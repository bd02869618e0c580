import { EOF, matchParens, type Token } from "./sql-tokens";
import { NOT_AN_ALIAS, VALUE_WORDS } from "./sql-words";

export type ColumnRef = { qualifier: string | null; column: string };

/**
 * Reading one statement's tokens: words, matching parentheses, top-level positions, names, aliases,
 * column references and plain values. Positions are token indexes; ranges are [s, e).
 */
export class TokenCursor {
  private readonly match: Int32Array;

  constructor(protected readonly tokens: Token[]) {
    this.match = matchParens(tokens);
  }

  tok(i: number): Token {
    return this.tokens[i] ?? EOF;
  }
  isWord(i: number, upper: string): boolean {
    const token = this.tok(i);
    return token.kind === "word" && token.upper === upper;
  }
  close(i: number): number {
    const m = this.match[i];
    return m === undefined || m < 0 ? this.tokens.length : m;
  }
  isSubqueryOpen(i: number): boolean {
    if (this.tok(i).kind !== "(") return false;
    let j = i + 1;
    while (this.tok(j).kind === "(") j++;
    return this.isWord(j, "SELECT") || this.isWord(j, "WITH");
  }
  /** Positions in [s, e) at paren depth 0 (relative to s) where `test` holds. */
  topLevel(s: number, e: number, test: (i: number) => boolean): number[] {
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
  splitTopLevel(s: number, e: number, isSeparator: (i: number) => boolean): [number, number][] {
    const parts: [number, number][] = [];
    let start = s;
    for (const at of this.topLevel(s, e, isSeparator)) {
      parts.push([start, at]);
      start = at + 1;
    }
    parts.push([start, e]);
    return parts;
  }
  readQualifiedName(i: number): { schema: string | null; table: string; next: number } | null {
    const first = this.tok(i);
    if (first.kind !== "word" && first.kind !== "ident") return null;
    if (this.tok(i + 1).kind === "." && ["word", "ident"].includes(this.tok(i + 2).kind)) {
      return { schema: first.value, table: this.tok(i + 2).value, next: i + 3 };
    }
    return { schema: null, table: first.value, next: i + 1 };
  }
  readAlias(i: number): { alias: string | null; next: number } {
    if (this.isWord(i, "AS")) return { alias: this.tok(i + 1).value, next: i + 2 };
    const token = this.tok(i);
    if (token.kind === "ident" || (token.kind === "word" && !NOT_AN_ALIAS.has(token.upper))) {
      return { alias: token.value, next: i + 1 };
    }
    return { alias: null, next: i };
  }
  /** A column reference spanning exactly [s, e): `col`, `t.col`, `db.t.col`, optionally in parens. */
  readColumnRef(s: number, e: number): ColumnRef | null {
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
  readColumn(s: number): ColumnRef | null {
    if (this.tok(s + 1).kind === "." && this.tok(s + 3).kind === ".") return this.readColumnRef(s, s + 5);
    if (this.tok(s + 1).kind === ".") return this.readColumnRef(s, s + 3);
    return this.readColumnRef(s, s + 1);
  }
  /** True when [s, e) is an expression of parameters, literals and functions only (no column, no subquery). */
  isValue(s: number, e: number): boolean {
    if (e <= s) return false;
    for (let k = s; k < e; k++) {
      const t = this.tok(k);
      if (t.kind === "ident" || t.kind === ".") return false;
      if (t.kind === "(" && this.isSubqueryOpen(k)) return false;
      if (t.kind === "word" && !VALUE_WORDS.has(t.upper) && this.tok(k + 1).kind !== "(") return false;
    }
    return true;
  }
}
