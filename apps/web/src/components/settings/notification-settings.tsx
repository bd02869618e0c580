"use client";

import { useEffect, useState } from "react";
import { askPermission, notificationPermission } from "~/notify/permission";

const WORDS = {
  granted: "On. A message that arrives while Parley is in the background shows a notification.",
  denied: "Blocked in this browser. Allow notifications for this site in the browser's settings.",
  default: "Off. Turn them on to hear about messages while Parley is in the background.",
  unsupported: "This browser cannot show notifications.",
} as const;

/** Browser notifications for this browser (muting a conversation is per conversation, on every device). */
export function NotificationSettings() {
  // Known only in the browser (the server render says nothing yet).
  const [permission, setPermission] = useState<ReturnType<typeof notificationPermission> | null>(null);
  useEffect(() => setPermission(notificationPermission()), []);
  if (permission === null) return null;
  return (
    <section className="settings-card" aria-labelledby="notify-title">
      <h2 id="notify-title">Notifications</h2>
      <p className="muted" data-testid="notify-state">
        {WORDS[permission]}
      </p>
      {permission === "default" ? (
        <button
          type="button"
          className="button primary small"
          onClick={() => void askPermission().then(setPermission)}
        >
          Turn on notifications
        </button>
      ) : null}
    </section>
  );
}
