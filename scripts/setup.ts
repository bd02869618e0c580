/**
 * First-run setup for a developer machine: writes `.env` at the repository root with freshly
 * generated keys and secrets when it does not exist yet, and links it where Next.js looks for it.
 * Never overwrites an existing `.env`.
 */
import { existsSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const envPath = join(root, ".env");

async function generateEd25519Pem(): Promise<{ privatePem: string; publicPem: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", pair.privateKey)).toString("base64");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", pair.publicKey)).toString("base64");
  return {
    privatePem: `-----BEGIN PRIVATE KEY-----\\n${pkcs8}\\n-----END PRIVATE KEY-----`,
    publicPem: `-----BEGIN PUBLIC KEY-----\\n${spki}\\n-----END PUBLIC KEY-----`,
  };
}

const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

if (!existsSync(envPath)) {
  const realtime = await generateEd25519Pem();
  const access = await generateEd25519Pem();
  const lines = [
    "# Written by `bun run setup` for local development. Never commit this file.",
    "DATABASE_URL=mysql://root@127.0.0.1:3306/parley",
    "NATS_URL=nats://127.0.0.1:4222",
    "REDIS_URL=redis://127.0.0.1:6379",
    "APP_URL=http://localhost:3000",
    "REALTIME_URL=ws://localhost:3001/ws",
    "REALTIME_PORT=3001",
    `REALTIME_TOKEN_PRIVATE_KEY="${realtime.privatePem}"`,
    `REALTIME_TOKEN_PUBLIC_KEY="${realtime.publicPem}"`,
    `ACCESS_TOKEN_PRIVATE_KEY="${access.privatePem}"`,
    `ACCESS_TOKEN_PUBLIC_KEY="${access.publicPem}"`,
    `REFRESH_TOKEN_SECRET=${secret()}`,
    "",
  ];
  writeFileSync(envPath, lines.join("\n"), { mode: 0o600 });
  console.log("setup: wrote .env with fresh development keys");
}

const webEnv = join(root, "apps/web/.env");
if (!existsSync(webEnv)) symlinkSync("../../.env", webEnv);
