export type OidcProviderLink = { id: string; label: string };

/**
 * Plain links, not fetches: the OIDC start route answers with a redirect to the provider and sets
 * the state/PKCE cookies, which only a top-level navigation carries through the round trip.
 */
export function OidcButtons({ providers }: { providers: OidcProviderLink[] }) {
  if (providers.length === 0) return null;
  return (
    <div className="oidc">
      <div className="divider">
        <span>or</span>
      </div>
      {providers.map((provider) => (
        <a
          key={provider.id}
          className="button secondary wide"
          href={`/api/auth/oidc/${encodeURIComponent(provider.id)}/start`}
        >
          Continue with {provider.label}
        </a>
      ))}
    </div>
  );
}
