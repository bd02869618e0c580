import type { OidcProviderLink } from "~/components/auth/oidc-buttons";

/** The OIDC providers configured in this deployment's env, for the "Continue with …" buttons. */
export function listOidcProviders(): OidcProviderLink[] {
  // Wired to @parley/auth's env reader once it lands.
  return [];
}
