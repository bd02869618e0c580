/** Up to two initials of a display name (the first letter of its first two words), for avatars. */
export function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]?.toUpperCase() ?? "");
  return letters.join("") || "?";
}
