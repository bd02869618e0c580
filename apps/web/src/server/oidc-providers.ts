import { readAuthEnv } from "@parley/auth";
import type { OidcProviderLink } from "~/components/auth/oidc-buttons";

/** The OIDC providers configured in this deployment's env, for the "Continue with …" buttons. */
export function listOidcProviders(): OidcProviderLink[] {
  try {
    return readAuthEnv().oidcProviders.map((provider) => ({
      id: provider.id,
      label: provider.name ?? provider.id,
    }));
  } catch (error) {
    // A broken auth env breaks sign-in anyway (the API reports it); the page still renders.
    console.error("[web] cannot list OIDC providers:", error instanceof Error ? error.message : error);
    return [];
  }
}
