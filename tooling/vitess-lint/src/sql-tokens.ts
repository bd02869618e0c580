/**
 * A small MySQL tokenizer for the scatter guard. It only needs to tell identifiers, values and
 * structure apart; it never executes or rewrites SQL.
 */

export type TokenKind =
  | "word" // bare identifier or keyword
  | "ident" // `backtick quoted` identifier: never a keyword
  | "string"
  | "number"
  | "param" // ?, :name, @var, @@var
  | "op"
  | "("
  | ")"
  | ","
  | "."
  | ";"
  | "eof";

export type Token = {
  kind: TokenKind;
  /** Lower-cased name for words and identifiers; the raw text otherwise. */
  value: string;
  /** Upper-cased text for bare words, to compare with keywords. */
  upper: string;
};

export const EOF: Token = { kind: "eof", value: "", upper: "" };

export const SHARD_TARGETED_MARKER = "vitess:shard-targeted";

export type Tokenized = { tokens: Token[]; comments: string[] };

const OPERATORS = ["<=>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->>", "->"];

export function tokenize(sql: string): Tokenized {
  const tokens: Token[] = [];
  const comments: string[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, value: string) => tokens.push({ kind, value, upper: "" });
  while (i < n) {
    const c = sql.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && sql.charAt(i + 1) === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      comments.push(sql.slice(i, stop));
      i = stop;
      continue;
    }
    if ((c === "-" && sql.charAt(i + 1) === "-" && /\s|$/.test(sql.charAt(i + 2))) || c === "#") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? n : end + 1;
      comments.push(sql.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        const d = sql.charAt(j);
        if (d === "\\") {
          j += 2;
          continue;
        }
        if (d === c) {
          if (sql.charAt(j + 1) === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      push("string", sql.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === "`") {
      let j = i + 1;
      let name = "";
      while (j < n) {
        const d = sql.charAt(j);
        if (d === "`") {
          if (sql.charAt(j + 1) === "`") {
            name += "`";
            j += 2;
            continue;
          }
          break;
        }
        name += d;
        j++;
      }
      push("ident", name.toLowerCase());
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql.charAt(i + 1)))) {
      const match = /^(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)/i.exec(sql.slice(i));
      const text = match?.[0] ?? c;
      // Identifiers may start with digits in MySQL (`1abc`); treat those as words.
      const rest = /^[0-9a-z_$]*/i.exec(sql.slice(i + text.length))?.[0] ?? "";
      if (rest.length > 0) {
        const word = text + rest;
        tokens.push({ kind: "word", value: word.toLowerCase(), upper: word.toUpperCase() });
        i += word.length;
      } else {
        push("number", text);
        i += text.length;
      }
      continue;
    }
    if (c === "?") {
      push("param", "?");
      i++;
      continue;
    }
    if (c === "@" || (c === ":" && /[a-z_]/i.test(sql.charAt(i + 1)))) {
      const match = /^(@@|@|:)[a-z0-9_.$]*/i.exec(sql.slice(i));
      const text = match?.[0] ?? c;
      push("param", text);
      i += text.length;
      continue;
    }
    if (/[a-z_$\u0080-\uffff]/i.test(c)) {
      const match = /^[a-z0-9_$\u0080-\uffff]+/i.exec(sql.slice(i));
      const word = match?.[0] ?? c;
      tokens.push({ kind: "word", value: word.toLowerCase(), upper: word.toUpperCase() });
      i += word.length;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === "." || c === ";") {
      push(c, c);
      i++;
      continue;
    }
    const op = OPERATORS.find((candidate) => sql.startsWith(candidate, i)) ?? c;
    push("op", op);
    i += op.length;
  }
  return { tokens, comments };
}

/** Index of the matching close paren for every open paren (-1 when unbalanced). */
export function matchParens(tokens: Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  tokens.forEach((token, index) => {
    if (token.kind === "(") stack.push(index);
    else if (token.kind === ")") {
      const open = stack.pop();
      if (open !== undefined) {
        match[open] = index;
        match[index] = open;
      }
    }
  });
  return match;
}
