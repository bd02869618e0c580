"use client";

import Link from "next/link";
import { NotificationSettings } from "./notification-settings";
import { ProfileForm } from "./profile-form";

export function SettingsPage() {
  return (
    <section className="settings" aria-label="Settings">
      <header className="pane-header">
        <Link href="/chat" className="button ghost small back-link">
          <span aria-hidden="true">←</span>
          <span className="visually-hidden">Back to conversations</span>
        </Link>
        <div className="pane-title">
          <h1>Settings</h1>
        </div>
      </header>
      <div className="settings-body">
        <ProfileForm />
        <NotificationSettings />
      </div>
    </section>
  );
}
