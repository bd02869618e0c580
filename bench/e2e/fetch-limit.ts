/**
 * Bun's `fetch` runs at most BUN_CONFIG_MAX_HTTP_REQUESTS requests at once (256 by default) and
 * queues the rest inside the client, read once at start-up. 1,000 users with several sends in flight
 * each are more than that: the load client would cap the server's concurrency and its queue would
 * count as server latency. So the bench runs itself again with a limit above what it sends.
 */
const FETCH_CONCURRENCY = "16384";

/** Returns only in a process with the limit set; otherwise runs this script again with it and exits with its code. */
export async function ensureFetchConcurrency(): Promise<void> {
  if (process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) return;
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: FETCH_CONCURRENCY },
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  process.exit(await child.exited);
}
