"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { errorMessage } from "~/lib/errors";
import { formatFull, formatRelative } from "~/lib/format-time";
import { useTRPC } from "~/trpc/react";

/** Every signed-in client of this user; this one is marked and cannot revoke itself here. */
export function DevicesList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const clients = useQuery(trpc.user.clients.queryOptions());
  const revoke = useMutation(trpc.user.revokeClient.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function onRevoke(clientId: string) {
    setError(null);
    try {
      await revoke.mutateAsync({ clientId });
      await queryClient.invalidateQueries({ queryKey: trpc.user.clients.queryKey() });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

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
          Every browser you sign in from is a client of its own. Revoking one signs it out within seconds.
        </p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        {clients.isPending ? <p>Loading devices…</p> : null}
        {clients.error ? <p role="alert">Could not load devices.</p> : null}
        <ul className="device-list">
          {clients.data?.map((client) => (
            <li key={client.id} className="device card" data-testid="device" data-client-id={client.id}>
              <div className="device-main">
                <span>
                  <strong>{client.name}</strong>
                  {client.current ? <span className="tag">This device</span> : null}
                </span>
                <span className="muted">
                  Last seen{" "}
                  <time
                    dateTime={new Date(client.lastSeenAt).toISOString()}
                    title={formatFull(client.lastSeenAt)}
                  >
                    {formatRelative(client.lastSeenAt)}
                  </time>{" "}
                  · signed in {formatFull(client.createdAt)}
                </span>
              </div>
              {client.current ? null : (
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
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
