import type { ReactNode } from "react";
import { AppShell } from "~/components/chat/app-shell";
import { readWebEnv } from "~/server/env";

// Read at request time, so one build runs against any gateway (dev, tests, production).
export const dynamic = "force-dynamic";

export default function AppLayout({ children }: { children: ReactNode }) {
  return <AppShell realtimeUrl={readWebEnv().REALTIME_URL}>{children}</AppShell>;
}
