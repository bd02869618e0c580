/**
 * Fresh key material for development and tests (`bun run setup`, test stacks). Production keys are
 * generated once and kept in the platform's secret store; nothing here runs at request time.
 */
export type PemKeyPair = { privatePem: string; publicPem: string };

/** An Ed25519 pair as PKCS#8 / SPKI PEM — the format ACCESS_/REALTIME_TOKEN_*_KEY take. */
export async function generateEd25519PemPair(): Promise<PemKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", pair.privateKey)).toString("base64");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", pair.publicKey)).toString("base64");
  return {
    privatePem: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----`,
    publicPem: `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----`,
  };
}

/** 256 random bits, base64url — e.g. REFRESH_TOKEN_SECRET. */
export function generateSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
