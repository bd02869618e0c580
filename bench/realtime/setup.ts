import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";

/** A realtime signing pair for benches (the API holds the private key in production). */
export async function benchKeys(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
}

/** Distinct decimal ids for synthetic users/clients (no database: the gateway never reads one). */
export function syntheticIds(count: number, base = BigInt(Date.now()) * 1_000_000n): string[] {
  return Array.from({ length: count }, (_, i) => String(base + BigInt(i)));
}

/** Source addresses for the load generators: 127.0.0.2, 127.0.0.3, … */
export const sourceAddress = (index: number) => `127.0.0.${index + 2}`;
