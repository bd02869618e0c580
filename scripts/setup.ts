/**
 * First-run setup for a developer machine: writes `.env` at the repository root with freshly
 * generated keys and secrets when it does not exist yet, and links it where Next.js looks for it.
 * Never overwrites an existing `.env` (service URLs in it are updated by the service bring-up).
 */
import { existsSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateEd25519PemPair, generateSecret } from "../packages/auth/src/generate-keys";

export const REPO_ROOT = join(import.meta.dir, "..");
/** Not via PATH: `bun scripts/dev.ts` run directly has no node_modules/.bin on it. */
export const TURBO = join(REPO_ROOT, "node_modules/.bin/turbo");

/** .env holds one line per variable, so the PEM newlines are written as "\\n" (dotenv expands them). */
const oneLine = (pem: string) => pem.replaceAll("\n", "\\n");

export async function ensureDevEnv(root = REPO_ROOT): Promise<void> {
  const envPath = join(root, ".env");
  if (!existsSync(envPath)) {
    const realtime = await generateEd25519PemPair();
    const access = await generateEd25519PemPair();
    const lines = [
      "# Written by `bun run setup` for local development. Never commit this file.",
      "DATABASE_URL=mysql://root@127.0.0.1:3306/parley",
      "NATS_URL=nats://127.0.0.1:4222",
      "REDIS_URL=redis://127.0.0.1:6379",
      "APP_URL=http://localhost:3000",
      "REALTIME_URL=ws://localhost:3001/ws",
      "REALTIME_PORT=3001",
      `REALTIME_TOKEN_PRIVATE_KEY="${oneLine(realtime.privatePem)}"`,
      `REALTIME_TOKEN_PUBLIC_KEY="${oneLine(realtime.publicPem)}"`,
      `ACCESS_TOKEN_PRIVATE_KEY="${oneLine(access.privatePem)}"`,
      `ACCESS_TOKEN_PUBLIC_KEY="${oneLine(access.publicPem)}"`,
      `REFRESH_TOKEN_SECRET=${generateSecret()}`,
      "",
    ];
    writeFileSync(envPath, lines.join("\n"), { mode: 0o600 });
    console.log("setup: wrote .env with fresh development keys");
  }
  const webEnv = join(root, "apps/web/.env");
  if (!existsSync(webEnv)) symlinkSync("../../.env", webEnv);
}

if (import.meta.main) await ensureDevEnv();
