import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type S3TestServer = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop: () => Promise<void>;
};

/** s3rver's fixed credentials: it checks SigV4 signatures against these. */
const S3RVER_KEY = "S3RVER";

/**
 * A real S3-compatible HTTP server (s3rver: the S3 REST API over a folder, SigV4 checked) in its own
 * process on a free loopback port, with one bucket. Tests talk to it over HTTP exactly as to S3.
 */
export async function startS3TestServer(bucket = "parley-test"): Promise<S3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "parley-s3-"));
  const port = await freePort();
  const bin = createRequire(import.meta.url).resolve("s3rver/bin/s3rver.js");
  const child = Bun.spawn(
    [
      process.execPath,
      bin,
      "--silent",
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-d",
      dir,
      "--configure-bucket",
      bucket,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`s3rver exited (${child.exitCode}): ${await new Response(child.stderr).text()}`);
    }
    // The bucket answers (even 403 for an unsigned request) once the server is up.
    const up = await fetch(`${endpoint}/${bucket}`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("s3rver did not start within 15 s");
    }
    await Bun.sleep(100);
  }
  return {
    endpoint,
    bucket,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
    async stop() {
      child.kill();
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
