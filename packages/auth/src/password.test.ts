import { afterEach, describe, expect, test } from "bun:test";
import { AuthError } from "./errors";
import { ARGON2_MAX_CONCURRENT, ARGON2_MAX_QUEUED, hashPassword, verifyPassword } from "./password";

const password = Bun.password as { hash: typeof Bun.password.hash; verify: typeof Bun.password.verify };
const original = { hash: password.hash, verify: password.verify };
afterEach(() => {
  password.hash = original.hash;
  password.verify = original.verify;
});

/** Replaces argon2 with a 5 ms stand-in that records how many run at once. */
function instrument() {
  const stats = { inFlight: 0, peak: 0, calls: 0 };
  const fake = async () => {
    stats.calls++;
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    await Bun.sleep(5);
    stats.inFlight--;
  };
  password.verify = (async () => {
    await fake();
    return false;
  }) as typeof Bun.password.verify;
  password.hash = (async () => {
    await fake();
    return "$argon2id$fake";
  }) as typeof Bun.password.hash;
  return stats;
}

describe("argon2 work is bounded per process (sign-up and sign-in are reachable without an account)", () => {
  test("a burst never runs more than ARGON2_MAX_CONCURRENT at once; queued work still completes", async () => {
    const stats = instrument();
    const burst = Array.from({ length: 60 }, (_, index) =>
      index % 2 ? verifyPassword("guess", "$argon2id$x") : hashPassword("new password"),
    );
    await Promise.all(burst);
    expect(stats.calls).toBe(60);
    expect(stats.peak).toBeLessThanOrEqual(ARGON2_MAX_CONCURRENT);
    expect(stats.peak).toBeGreaterThan(1);
  });

  test("beyond the queue, requests are refused at once with TOO_MANY_REQUESTS, and the limiter recovers", async () => {
    const stats = instrument();
    const total = ARGON2_MAX_CONCURRENT + ARGON2_MAX_QUEUED + 20;
    const results = await Promise.allSettled(
      Array.from({ length: total }, () => verifyPassword("guess", "$argon2id$x")),
    );
    const refused = results.filter((result) => result.status === "rejected");
    expect(refused).toHaveLength(20);
    for (const result of refused) {
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(AuthError);
      expect(reason).toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 1 } });
    }
    expect(stats.peak).toBeLessThanOrEqual(ARGON2_MAX_CONCURRENT);
    // Every slot was given back: a full burst fits again.
    const again = await Promise.allSettled(
      Array.from({ length: ARGON2_MAX_CONCURRENT + ARGON2_MAX_QUEUED }, () =>
        verifyPassword("g", "$argon2id$x"),
      ),
    );
    expect(again.every((result) => result.status === "fulfilled")).toBe(true);
  });

  test("a malformed stored hash fails closed (false), it does not throw", async () => {
    expect(await verifyPassword("anything", "not-a-phc-string")).toBe(false);
  });
});
