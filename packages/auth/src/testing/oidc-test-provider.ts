/// <reference path="./oidc-provider.d.ts" />
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export type OidcTestClient = { clientId: string; clientSecret: string; redirectUri: string };
export type OidcTestProvider = { issuer: string; close: () => Promise<void> };

/**
 * A real OpenID provider (panva's oidc-provider, the certified implementation) on a loopback port,
 * with its development login and consent pages. Any login name signs in as that subject; the ID token
 * carries `preferred_username`, `name` and `email` derived from it.
 */
export async function startOidcTestProvider(clients: OidcTestClient[]): Promise<OidcTestProvider> {
  let handler: ReturnType<Provider["callback"]> | null = null;
  const server = createServer((req, res) => {
    if (!handler) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [client.redirectUri],
      response_types: ["code"],
      grant_types: ["authorization_code"],
    })),
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Put profile claims in the ID token (the default moves them to userinfo).
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], email: ["email"], profile: ["name", "preferred_username"] },
    cookies: { keys: ["parley-test-provider-cookie-key"] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        email: `${id}@example.test`,
        name: `Test ${id}`,
        preferred_username: id,
      }),
    }),
  });
  handler = provider.callback();
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
