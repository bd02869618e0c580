/** Whether this browser can show notifications at all, and what the user decided. */
export function notificationPermission(): NotificationPermission | "unsupported" {
  if (typeof window === "undefined" || typeof window.Notification === "undefined") return "unsupported";
  return window.Notification.permission;
}

const DISMISSED_KEY = "parley.notify.dismissed";

/** The user closed the "turn on notifications" banner: do not ask in the timeline again. */
export function isPromptDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === "1";
  } catch {
    return false;
  }
}

export function dismissPrompt(): void {
  try {
    localStorage.setItem(DISMISSED_KEY, "1");
  } catch {
    // Private mode without storage: the banner comes back next time, which is harmless.
  }
}

/** Asks the browser (it shows its own prompt once); resolves to the decision. */
export async function askPermission(): Promise<NotificationPermission | "unsupported"> {
  if (notificationPermission() === "unsupported") return "unsupported";
  return window.Notification.requestPermission();
}
