import type { Profile } from "~/lib/use-profiles";

/** Groups have a title; a direct chat is named after the other person. */
export function dialogTitle(
  dialog: { kind: "direct" | "group"; title: string | null; peerUserId: string | null },
  profiles: Map<string, Profile>,
): string {
  if (dialog.title) return dialog.title;
  if (dialog.kind === "direct") {
    const peer = dialog.peerUserId ? profiles.get(dialog.peerUserId) : undefined;
    return peer?.displayName ?? (dialog.peerUserId ? "…" : "Just you");
  }
  return "Untitled group";
}

/** A group's own picture; a direct chat shows the other person's. */
export function dialogAvatarUrl(
  dialog: { kind: "direct" | "group"; avatarUrl: string | null; peerUserId: string | null },
  profiles: Map<string, Profile>,
): string | null {
  if (dialog.kind === "group") return dialog.avatarUrl;
  return dialog.peerUserId ? (profiles.get(dialog.peerUserId)?.avatarUrl ?? null) : null;
}
