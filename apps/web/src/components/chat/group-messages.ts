import type { TimelineEntry } from "~/sync/types";

export type MessageGroup = { key: string; senderId: string; startedAt: number; entries: TimelineEntry[] };

// Consecutive messages from one sender within this window share a header.
const GROUP_WINDOW_MS = 5 * 60_000;

export function groupMessages(entries: TimelineEntry[]): MessageGroup[] {
  const groups: MessageGroup[] = [];
  for (const entry of entries) {
    const current = groups.at(-1);
    const previous = current?.entries.at(-1);
    if (
      current &&
      previous &&
      current.senderId === entry.senderId &&
      entry.createdAt - previous.createdAt < GROUP_WINDOW_MS
    ) {
      current.entries.push(entry);
    } else {
      groups.push({ key: entry.key, senderId: entry.senderId, startedAt: entry.createdAt, entries: [entry] });
    }
  }
  return groups;
}
