import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { OidcError } from "./errors";

const ZDiscovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});

export type OidcMetadata = {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwks: JWTVerifyGetKey;
};

/**
 * OpenID Connect Discovery, cached per process. The document's `issuer` must equal the configured
 * one exactly (Discovery §4.3): otherwise a compromised document could make us trust another issuer.
 */
export function createDiscoveryCache() {
  const cache = new Map<string, Promise<OidcMetadata>>();

  async function discover(issuer: string): Promise<OidcMetadata> {
    const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    let body: unknown;
    try {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      const reason = error instanceof Error ? error.message : "unreachable";
      throw new OidcError("provider_unavailable", `OIDC discovery failed for ${issuer}: ${reason}`);
    }
    const parsed = ZDiscovery.safeParse(body);
    if (!parsed.success) {
      throw new OidcError("provider_unavailable", `OIDC discovery document of ${issuer} is invalid`);
    }
    if (parsed.data.issuer !== issuer) {
      throw new OidcError("provider_unavailable", `OIDC discovery issuer mismatch for ${issuer}`);
    }
    return {
      issuer: parsed.data.issuer,
      authorizationEndpoint: parsed.data.authorization_endpoint,
      tokenEndpoint: parsed.data.token_endpoint,
      // jose caches the key set and refetches on an unknown `kid` (key rotation), rate-limited.
      jwks: createRemoteJWKSet(new URL(parsed.data.jwks_uri)),
    };
  }

  return (issuer: string): Promise<OidcMetadata> => {
    const hit = cache.get(issuer);
    if (hit) return hit;
    const pending = discover(issuer);
    cache.set(issuer, pending);
    // A failed discovery is retried on the next sign-in instead of being cached forever.
    pending.catch(() => cache.delete(issuer));
    return pending;
  };
}
