"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useConnectionState } from "~/sync/sync-provider";
import type { Me } from "~/trpc/types";
import { ConnectionIndicator } from "./connection-indicator";
import { DialogList } from "./dialog-list";
import { initials } from "./initials";
import { NewConversationMenu } from "./new-conversation-menu";
import { SignOutButton } from "./sign-out-button";

export function Sidebar({ viewer }: { viewer: Me }) {
  const connection = useConnectionState();
  const pathname = usePathname();
  return (
    <aside className="sidebar" aria-label="Conversations">
      <header className="sidebar-header">
        <div className="sidebar-me">
          <span className="avatar" aria-hidden="true">
            {initials(viewer.displayName)}
          </span>
          <span className="sidebar-me-text">
            <strong>{viewer.displayName}</strong>
            <span className="muted">@{viewer.handle}</span>
          </span>
        </div>
        <ConnectionIndicator state={connection} />
      </header>
      <nav className="sidebar-nav" aria-label="Account">
        <Link
          href="/devices"
          className="button ghost small"
          aria-current={pathname === "/devices" ? "page" : undefined}
        >
          Devices
        </Link>
        <SignOutButton />
      </nav>
      <NewConversationMenu />
      <DialogList />
    </aside>
  );
}
