"use client";

import { useEffect, useState } from "react";
import { describeBrowser } from "~/lib/client-name";

export type OidcProviderLink = { id: string; label: string };

/**
 * Plain links, not fetches: the OIDC start route answers with a redirect to the provider and sets
 * the state cookie, which only a top-level navigation carries through the round trip.
 */
export function OidcButtons({ providers }: { providers: OidcProviderLink[] }) {
  // Named like password sign-ins on the devices page; known only in the browser.
  const [clientName, setClientName] = useState<string | null>(null);
  useEffect(() => setClientName(describeBrowser(navigator.userAgent)), []);
  if (providers.length === 0) return null;
  const query = new URLSearchParams({ returnTo: "/chat" });
  if (clientName) query.set("clientName", clientName);
  return (
    <div className="oidc">
      <div className="divider">
        <span>or</span>
      </div>
      {providers.map((provider) => (
        <a
          key={provider.id}
          className="button secondary wide"
          href={`/api/auth/oidc/${encodeURIComponent(provider.id)}/start?${query.toString()}`}
        >
          Continue with {provider.label}
        </a>
      ))}
    </div>
  );
}
