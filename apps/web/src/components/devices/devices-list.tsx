"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { errorMessage } from "~/lib/errors";
import { formatFull, formatRelative } from "~/lib/format-time";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";

type Client = RouterOutputs["user"]["clients"][number];
type BrowserGroup = { client: Client; tabs: Client[] };

/**
 * Browsers (and phones, CLIs) first, newest activity first; each browser's live tabs under it. A tab
 * whose browser is not in the list stands on its own. Dead tabs (refresh tokens expired: closed or
 * long asleep) never arrive: `user.clients` leaves them out.
 */
function groupClients(clients: Client[]): BrowserGroup[] {
  const ids = new Set(clients.map((client) => client.id));
  const tabsOf = new Map<string, Client[]>();
  const groups: BrowserGroup[] = [];
  for (const client of clients) {
    const parent = client.parentClientId;
    if (parent && ids.has(parent)) {
      // A revoked tab is gone for good: listing it would only bury the live ones.
      if (client.revokedAt !== null) continue;
      const list = tabsOf.get(parent) ?? [];
      list.push(client);
      tabsOf.set(parent, list);
    } else {
      groups.push({ client, tabs: [] });
    }
  }
  for (const group of groups) group.tabs = tabsOf.get(group.client.id) ?? [];
  return groups;
}

/**
 * Every signed-in client of this user: browsers with their tabs (each tab is a client of its own),
 * phones, CLIs. This tab is marked and cannot revoke itself here (Sign out does that); revoking a
 * browser signs out every tab of it, revoking a tab only that tab.
 */
export function DevicesList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const clients = useQuery(trpc.user.clients.queryOptions());
  const revoke = useMutation(trpc.user.revokeClient.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const groups = useMemo(() => groupClients(clients.data ?? []), [clients.data]);

  async function onRevoke(clientId: string) {
    setError(null);
    try {
      await revoke.mutateAsync({ clientId });
      await queryClient.invalidateQueries({ queryKey: trpc.user.clients.queryKey() });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const row = (client: Client, tag: string | null, isTab: boolean) => (
    <div
      className={isTab ? "device device-tab card" : "device card"}
      data-testid="device"
      data-client-id={client.id}
      data-kind={isTab ? "tab" : client.kind}
    >
      <div className="device-main">
        <span>
          <strong>{client.name}</strong>
          {tag ? <span className="tag">{tag}</span> : null}
          {client.revokedAt !== null ? <span className="tag muted-tag">Signed out</span> : null}
        </span>
        <span className="muted">
          Last seen{" "}
          <time dateTime={new Date(client.lastSeenAt).toISOString()} title={formatFull(client.lastSeenAt)}>
            {formatRelative(client.lastSeenAt)}
          </time>{" "}
          · {isTab ? "opened" : "signed in"} {formatFull(client.createdAt)}
        </span>
      </div>
      {client.current || client.revokedAt !== null ? null : (
        <button
          type="button"
          className="button danger small"
          onClick={() => onRevoke(client.id)}
          disabled={revoke.isPending}
          aria-label={`Revoke ${client.name}`}
        >
          Revoke
        </button>
      )}
    </div>
  );

  return (
    <section className="devices" aria-labelledby="devices-title">
      <header className="pane-header">
        <Link href="/chat" className="button ghost small back-link">
          <span aria-hidden="true">←</span> <span className="visually-hidden">Back to </span>Chats
        </Link>
        <h1 id="devices-title">Devices</h1>
      </header>
      <div className="devices-body">
        <p className="muted">
          Every browser you sign in from is a client, and so is every tab of it. Revoking a browser signs out
          all its tabs; revoking a tab signs out only that tab. Either takes effect within seconds. A tab you
          close leaves this list within minutes (at the latest once its sign-in lapses, 12 hours by default).
        </p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        {clients.isPending ? <p>Loading devices…</p> : null}
        {clients.error ? <p role="alert">Could not load devices.</p> : null}
        <ul className="device-list">
          {groups.map(({ client, tabs }) => {
            const holdsThisTab = tabs.some((tab) => tab.current);
            return (
              <li key={client.id} className="device-group">
                {row(client, client.current ? "This device" : holdsThisTab ? "This browser" : null, false)}
                {tabs.length > 0 ? (
                  <ul className="device-tabs" aria-label={`Tabs of ${client.name}`}>
                    {tabs.map((tab) => (
                      <li key={tab.id}>{row(tab, tab.current ? "This tab" : null, true)}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
