import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * `.env` as the processes read it (KEY=value per line, values optionally quoted). Only what the
 * launcher scripts need: read a few URLs and rewrite single lines, leaving every other line alone.
 */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)$/);
    if (!match?.[1]) continue;
    values[match[1]] = unquote((match[2] ?? "").trim());
  }
  return values;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replaceAll("\\n", "\n") : inner;
  }
  return value;
}

/** Sets each key's line (appending missing keys); returns the keys whose value changed. */
export function updateEnvFile(path: string, changes: Record<string, string>): string[] {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  const current = readEnvFile(path);
  const changed = Object.keys(changes).filter((key) => current[key] !== changes[key]);
  if (changed.length === 0) return [];
  for (const key of changed) {
    const line = `${key}=${changes[key]}`;
    const index = lines.findIndex((existing) => existing.match(/^\s*([A-Z0-9_]+)\s*=/)?.[1] === key);
    if (index >= 0) lines[index] = line;
    else {
      if (lines.at(-1) === "") lines.pop();
      lines.push(line, "");
    }
  }
  writeFileSync(path, lines.join("\n"), { mode: 0o600 });
  return changed;
}
