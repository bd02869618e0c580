/** A token bucket as plain data: no timers, refilled lazily when it is read. */
export type Bucket = { tokens: number; at: number };

export function refill(bucket: Bucket, ratePerSecond: number, burst: number, now: number): void {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000);
  bucket.at = now;
}

/** Whether a bucket left alone since `at` would be full by `now` (then forgetting it changes nothing). */
export function isFull(bucket: Bucket, ratePerSecond: number, burst: number, now: number): boolean {
  return bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000 >= burst;
}
