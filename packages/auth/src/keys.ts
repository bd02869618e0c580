import type { CryptoKey } from "jose";
import type { AuthConfig } from "./config";
import { importPrivateKey, importPublicKey } from "./jwt";

export type AuthKeys = {
  accessPrivate: Promise<CryptoKey>;
  accessPublic: Promise<CryptoKey>;
  realtimePrivate: Promise<CryptoKey>;
  realtimePublic: Promise<CryptoKey>;
};

/** Imported once per process, lazily, so constructing the service stays synchronous. */
export function loadKeys(config: AuthConfig): AuthKeys {
  const keys = {
    accessPrivate: importPrivateKey(config.accessTokenPrivateKey),
    accessPublic: importPublicKey(config.accessTokenPublicKey),
    realtimePrivate: importPrivateKey(config.realtimeTokenPrivateKey),
    realtimePublic: importPublicKey(config.realtimeTokenPublicKey),
  };
  // A bad key surfaces on first use; silence the unhandled-rejection until then.
  for (const key of Object.values(keys)) key.catch(() => {});
  return keys;
}
