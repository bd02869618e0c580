/** Wall time of a synchronous or async run, in ms (monotonic clock). */
export async function timeIt<T>(run: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** CPU time (user + system) of this process spent in `run`, in µs. */
export async function cpuTimeIt<T>(
  run: () => T | Promise<T>,
): Promise<{ ms: number; cpuUs: number; value: T }> {
  const cpu = process.cpuUsage();
  const { ms, value } = await timeIt(run);
  const used = process.cpuUsage(cpu);
  return { ms, cpuUs: used.user + used.system, value };
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.min(
    sortedAscending.length - 1,
    Math.max(0, Math.ceil((p / 100) * sortedAscending.length) - 1),
  );
  return sortedAscending[rank] ?? Number.NaN;
}

/** Latency samples → the summary the bench tables use. */
export function summarize(samplesMs: number[]): { count: number; p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(samplesMs).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.POSITIVE_INFINITY;
}
