import type { NextConfig } from "next";

const config: NextConfig = {
  // Internal packages ship TypeScript source (no build step), so Next compiles them.
  transpilePackages: [
    "@parley/api",
    "@parley/attachments",
    "@parley/auth",
    "@parley/client",
    "@parley/db",
    "@parley/protocol",
    "@parley/storage",
  ],
  // Native/long-lived server drivers stay as Node requires instead of being bundled.
  serverExternalPackages: ["mysql2", "ioredis", "@nats-io/transport-node", "@nats-io/nats-core", "sharp"],
  poweredByHeader: false,
  // `next dev` serves its dev resources (HMR, chunks) to these hosts too: localhost and 127.0.0.1
  // are the same laptop, and a blocked resource leaves the page unhydrated.
  allowedDevOrigins: ["127.0.0.1"],
  reactStrictMode: true,
  // The e2e tests build into their own dir so a running `next dev` is never disturbed.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  typescript: { ignoreBuildErrors: false },
};

export default config;
