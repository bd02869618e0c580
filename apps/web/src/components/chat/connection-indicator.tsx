import type { ConnectionState } from "~/sync/types";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  return (
    <output className={`connection connection-${state}`} aria-live="polite" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
    </output>
  );
}
