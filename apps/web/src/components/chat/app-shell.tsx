"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";
import { INBOX_LIMIT } from "~/lib/first-paint";
import { ProfileSeedProvider } from "~/lib/profile-seed";
import { MessageNotifier } from "~/notify/message-notifier";
import { TabTitle } from "~/notify/tab-title";
import type { ShellSeed } from "~/server/initial-data";
import { SyncProvider } from "~/sync/sync-provider";
import { isUnauthorized, useTRPC } from "~/trpc/react";
import { TabSignedOutError, tabSession } from "~/trpc/tab-session";
import { Sidebar } from "./sidebar";

type TabState = "opening" | "ready" | "failed";

/**
 * The signed-in frame: this tab's own client (opened once with the browser's cookie, then kept in
 * sessionStorage), who the viewer is, the sync engine for this tab, the sidebar inbox and the
 * current pane. On phones only one of sidebar / pane shows, chosen by the route.
 *
 * With a server seed (who I am, the inbox, the names in it) the whole frame renders at once, on the
 * server too; the tab's own client and its sync engine start behind it.
 */
export function AppShell({
  realtimeUrl,
  seed,
  children,
}: {
  realtimeUrl: string;
  seed: ShellSeed | null;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const pathname = usePathname();
  const [tab, setTab] = useState<TabState>("opening");
  const [attempt, setAttempt] = useState(0);
  const me = useQuery({ ...trpc.user.me.queryOptions(), enabled: tab === "ready" });
  // Before any child reads the cache: the inbox the server rendered is the inbox's first data.
  useState(() => {
    if (seed) queryClient.setQueryData(trpc.dialog.list.queryKey({ limit: INBOX_LIMIT }), seed.inbox);
  });

  useEffect(() => {
    let live = true;
    const session = tabSession();
    // A refresh refused (this tab or its browser was revoked): the tab is signed out.
    const off = session.onSignedOut(() => {
      queryClient.clear();
      router.replace("/sign-in?signedOut=1");
    });
    session.ensure().then(
      () => {
        if (live) setTab("ready");
      },
      (error: unknown) => {
        if (!live) return;
        // No browser session (never signed in, signed out, revoked): sign in first.
        if (error instanceof TabSignedOutError) router.replace("/sign-in");
        else setTab("failed");
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [attempt, queryClient, router]);

  useEffect(() => {
    if (me.error && isUnauthorized(me.error)) router.replace("/sign-in");
  }, [me.error, router]);

  if (tab === "failed") {
    return (
      <div className="splash" role="alert">
        <p>Parley could not open this tab. Check your connection.</p>
        <button
          type="button"
          className="button primary"
          onClick={() => {
            setTab("opening");
            setAttempt((n) => n + 1);
          }}
        >
          Try again
        </button>
      </div>
    );
  }

  // Names and avatars come from the server's answer until this tab's own arrives (same person).
  const viewer = me.data ?? seed?.me;
  if (!viewer || (me.error && isUnauthorized(me.error))) {
    if (me.error && !isUnauthorized(me.error)) {
      return (
        <div className="splash" role="alert">
          <p>Parley could not load. Check your connection.</p>
          <button type="button" className="button primary" onClick={() => me.refetch()}>
            Try again
          </button>
        </div>
      );
    }
    return (
      <div className="splash" role="status">
        Loading Parley…
      </div>
    );
  }

  const pane = pathname === "/chat" ? "list" : "detail";
  return (
    <ProfileSeedProvider initial={seed?.profiles}>
      <SyncProvider viewer={viewer} tabViewer={me.data ?? null} realtimeUrl={realtimeUrl}>
        {/* On the inbox route (the only pane on phones) "content" is the list itself. */}
        <a className="skip-link" href={pane === "list" ? "#inbox" : "#main"}>
          Skip to content
        </a>
        <TabTitle />
        <div className="shell" data-pane={pane}>
          <Sidebar viewer={viewer} />
          <main className="pane" id="main" tabIndex={-1}>
            <MessageNotifier />
            {children}
          </main>
        </div>
      </SyncProvider>
    </ProfileSeedProvider>
  );
}
