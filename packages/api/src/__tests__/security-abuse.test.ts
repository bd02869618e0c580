/**
 * Cheap calls must not buy expensive work: typing in a loop is not a fan-out amplifier, and a burst
 * of sign-ins cannot make one process run unbounded argon2 at once (19 MiB each).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { TEST_NATS_URL } from "@parley/testkit";
import { failure, type SecurityHarness, securityFixture } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let alice: User;
let bob: User;
let nc: NatsConnection;

const h = await securityFixture("secabuse");

beforeAll(async () => {
  alice = await h.user("abuse-alice");
  bob = await h.user("abuse-bob");
  nc = await connect({ servers: TEST_NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

describe("typing is throttled per client and dialog", () => {
  test("50 typing calls in a burst: at most one push per second, and past the budget they are refused", async () => {
    const dialogId = (await bob.call.dialog.openDirect({ userId: alice.userId })).id;
    let typingEvents = 0;
    const subscription = nc.subscribe(`chat.user.${alice.userId}`, {
      callback: (error, message) => {
        if (!error && (JSON.parse(message.string()) as { type: string }).type === "typing") typingEvents++;
      },
    });
    await nc.flush();
    const started = Date.now();
    let accepted = 0;
    let refused = 0;
    for (let index = 0; index < 50; index++) {
      try {
        const { expiresAt } = await bob.call.dialog.typing({ dialogId });
        expect(expiresAt).toBeGreaterThan(Date.now());
        accepted++;
      } catch (error) {
        expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
        refused++;
      }
    }
    // The per-client typing budget (20 per 10 s by default) turns the rest away before any read.
    expect(accepted).toBe(20);
    expect(refused).toBe(30);
    const elapsed = Date.now() - started;
    await Bun.sleep(200);
    subscription.unsubscribe();
    // One per started second of the burst at most (the burst normally fits in one).
    expect(typingEvents).toBeGreaterThanOrEqual(1);
    expect(typingEvents).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1_000));
  });
});

describe("argon2 is bounded per process", () => {
  test("a burst of sign-ins beyond capacity is refused with TOO_MANY_REQUESTS, never queued without bound", async () => {
    const password = Bun.password as { verify: typeof Bun.password.verify };
    const original = password.verify;
    let inFlight = 0;
    let peak = 0;
    // A slow stand-in for argon2 so the burst overlaps deterministically.
    password.verify = (async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await Bun.sleep(40);
      inFlight--;
      return false;
    }) as typeof Bun.password.verify;
    try {
      const anonymous = await h.caller({}, null);
      const burst = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          failure(() =>
            anonymous.auth.signIn({ handle: `burst-${index}`, password: "wrong password!!", mode: "token" }),
          ),
        ),
      );
      const codes = burst.map((error) => (error as { code?: string } | null)?.code);
      expect(codes.every((code) => code === "UNAUTHORIZED" || code === "TOO_MANY_REQUESTS")).toBe(true);
      expect(codes.filter((code) => code === "TOO_MANY_REQUESTS").length).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(8);
    } finally {
      password.verify = original;
    }
    // The process recovers at once.
    const anonymous = await h.caller({}, null);
    await expect(
      anonymous.auth.signIn({ handle: "abuse-alice", password: "wrong password!!", mode: "token" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  }, 30_000);
});
