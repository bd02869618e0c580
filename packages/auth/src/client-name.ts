import { stripInvisible } from "./handle";

/** A readable client name ("Firefox on Linux") from a User-Agent; only for the user's client list. */
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\//, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrome\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iOS/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

export function clientNameFrom(given: string | undefined, userAgent: string | null): string {
  const trimmed = given ? stripInvisible(given).trim() : undefined;
  if (trimmed) return trimmed.slice(0, 128);
  if (!userAgent) return "Unknown client";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return (browser ?? system ?? userAgent.split(/[\s/]/)[0] ?? "Unknown client").slice(0, 128);
}
