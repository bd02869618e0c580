"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { SidebarSearch } from "~/components/search/sidebar-search";
import { useProfiles } from "~/lib/use-profiles";
import { useConnectionState } from "~/sync/sync-provider";
import type { Me } from "~/trpc/types";
import { Avatar } from "./avatar";
import { ConnectionIndicator } from "./connection-indicator";
import { DialogList } from "./dialog-list";
import { NewConversationMenu } from "./new-conversation-menu";
import { SignOutButton } from "./sign-out-button";

export function Sidebar({ viewer }: { viewer: Me }) {
  const connection = useConnectionState();
  const pathname = usePathname();
  // The viewer's own name and avatar follow renames live (from any of the viewer's clients).
  const me = useProfiles([viewer.id]).get(viewer.id);
  const name = me?.displayName ?? viewer.displayName;
  return (
    <aside className="sidebar" aria-label="Conversations">
      <header className="sidebar-header">
        <div className="sidebar-me">
          <Avatar name={name} url={me?.avatarUrl} />
          <span className="sidebar-me-text">
            <strong data-testid="my-name">{name}</strong>
            <span className="muted">@{viewer.handle}</span>
          </span>
        </div>
        <ConnectionIndicator state={connection} />
      </header>
      <nav className="sidebar-nav" aria-label="Account">
        <Link
          href="/settings"
          className="button ghost small"
          aria-current={pathname === "/settings" ? "page" : undefined}
        >
          Settings
        </Link>
        <Link
          href="/devices"
          className="button ghost small"
          aria-current={pathname === "/devices" ? "page" : undefined}
        >
          Devices
        </Link>
        <SignOutButton />
      </nav>
      <SidebarSearch>
        <NewConversationMenu />
        <DialogList />
      </SidebarSearch>
    </aside>
  );
}
