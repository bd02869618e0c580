const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const date = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const DAY_MS = 86_400_000;

/** Inbox style: time today, weekday this week, date before that. */
export function formatShortTime(ms: number, now = Date.now()): string {
  const then = new Date(ms);
  if (new Date(now).toDateString() === then.toDateString()) return time.format(then);
  if (now - ms < 6 * DAY_MS) return weekday.format(then);
  return date.format(then);
}

export function formatClock(ms: number): string {
  return time.format(new Date(ms));
}

export function formatFull(ms: number): string {
  return full.format(new Date(ms));
}

export function formatRelative(ms: number, now = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return formatFull(ms);
}
