import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "~/components/chat/app-shell";
import "~/components/noticing.css";
import { readWebEnv } from "~/server/env";
import { loadShellSeed } from "~/server/initial-data";

// Read at request time, so one build runs against any gateway (dev, tests, production).
export const dynamic = "force-dynamic";

/**
 * The signed-in frame, rendered on the server with who the viewer is, the inbox and the names in it,
 * so the first paint is complete. A cookie that names no live session goes to sign-in from here.
 */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const seed = await loadShellSeed();
  if (seed === "signed-out") redirect("/sign-in");
  return (
    <AppShell realtimeUrl={readWebEnv().REALTIME_URL} seed={seed}>
      {children}
    </AppShell>
  );
}
