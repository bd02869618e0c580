import { findSearchMatches } from "@parley/protocol";

/** Text with the words a search matched marked (React text nodes: nothing is parsed as HTML). */
export function HighlightedText({ text, words }: { text: string; words: readonly string[] }) {
  const matches = findSearchMatches(text, words);
  if (matches.length === 0) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [start, end] of matches) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/** A result line: the text around the first match, so a long message still shows why it matched. */
export function snippetAround(text: string, words: readonly string[], radius = 60): string {
  const flat = text.replace(/\s+/g, " ");
  const first = findSearchMatches(flat, words)[0];
  if (!first || flat.length <= radius * 2) return flat;
  const start = Math.max(0, first[0] - radius);
  const end = Math.min(flat.length, first[1] + radius);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}

/** The text a message shows (a text message's, a media message's caption), or "" for none. */
export function messageText(content: object): string {
  return "text" in content && typeof content.text === "string" ? content.text : "";
}
