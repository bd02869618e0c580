"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { SyncProvider } from "~/sync/sync-provider";
import { isUnauthorized, useTRPC } from "~/trpc/react";
import { Sidebar } from "./sidebar";

/**
 * The signed-in frame: who the viewer is, the sync engine for this tab, the sidebar inbox and the
 * current pane. On phones only one of sidebar / pane shows, chosen by the route.
 */
export function AppShell({ realtimeUrl, children }: { realtimeUrl: string; children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.user.me.queryOptions());

  useEffect(() => {
    if (me.error && isUnauthorized(me.error)) router.replace("/sign-in");
  }, [me.error, router]);

  if (me.isPending || (me.error && isUnauthorized(me.error))) {
    return (
      <div className="splash" role="status">
        Loading Parley…
      </div>
    );
  }
  if (me.error) {
    return (
      <div className="splash" role="alert">
        <p>Parley could not load. Check your connection.</p>
        <button type="button" className="button primary" onClick={() => me.refetch()}>
          Try again
        </button>
      </div>
    );
  }

  const pane = pathname === "/chat" ? "list" : "detail";
  return (
    <SyncProvider viewer={me.data} realtimeUrl={realtimeUrl}>
      {/* On the inbox route (the only pane on phones) "content" is the list itself. */}
      <a className="skip-link" href={pane === "list" ? "#inbox" : "#main"}>
        Skip to content
      </a>
      <div className="shell" data-pane={pane}>
        <Sidebar viewer={me.data} />
        <main className="pane" id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </SyncProvider>
  );
}
