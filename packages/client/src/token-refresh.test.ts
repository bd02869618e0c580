import { describe, expect, test } from "bun:test";
import { ApiError } from "./api";
import { type TokenPair, TokenRefresher } from "./token-refresh";

type Sent = { authorization: string | null };

/** A server that accepts only `valid` as bearer token; rotations answer with `rotate()`. */
function harness(rotate: (refreshToken: string) => Promise<TokenPair>, start: TokenPair | null) {
  let pair = start;
  let valid = "fresh";
  const sent: Sent[] = [];
  const rotations: string[] = [];
  const refusals: ApiError[] = [];
  const refresher = new TokenRefresher<TokenPair>({
    current: () => pair,
    rotate: (refreshToken) => {
      rotations.push(refreshToken);
      return rotate(refreshToken);
    },
    save: (_before, next) => {
      pair = next;
      return next;
    },
    onRefused: (error) => refusals.push(error),
  });
  const fetch = refresher.wrapFetch(async (_input, init) => {
    const authorization = new Headers(init?.headers).get("authorization");
    sent.push({ authorization });
    return new Response(null, { status: authorization === `Bearer ${valid}` ? 200 : 401 });
  });
  return {
    fetch,
    refresher,
    sent,
    rotations,
    refusals,
    pair: () => pair,
    accept: (token: string) => {
      valid = token;
    },
  };
}

const stale = { accessToken: "stale", refreshToken: "r1" };
const rotated = async () => ({ accessToken: "fresh", refreshToken: "r2" });

describe("TokenRefresher", () => {
  test("a 401 rotates once for every request waiting on it, and each request is sent again", async () => {
    const h = harness(rotated, stale);
    const statuses = await Promise.all([h.fetch("/a"), h.fetch("/b"), h.fetch("/c")]);
    expect(statuses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(h.rotations).toEqual(["r1"]);
    expect(h.pair()?.refreshToken).toBe("r2");
    expect(h.sent.filter((s) => s.authorization === "Bearer fresh")).toHaveLength(3);
  });

  test("a refused refresh hands back the 401 and tells the owner", async () => {
    const h = harness(async () => {
      throw new ApiError("UNAUTHORIZED", "refresh token revoked", { reason: "refresh_token_revoked" });
    }, stale);
    const response = await h.fetch("/a");
    expect(response.status).toBe(401);
    expect(h.refusals.map((error) => error.details.reason)).toEqual(["refresh_token_revoked"]);
    expect(h.pair()).toEqual(stale);
  });

  test("a refresh that failed otherwise fails the request as retryable, and the pair is kept", async () => {
    const h = harness(async () => {
      throw new TypeError("fetch failed");
    }, stale);
    const failure = await h.fetch("/a").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).retryable).toBe(true);
    expect(h.refusals).toEqual([]);
    expect(h.pair()).toEqual(stale);
  });

  test("no pair: no header, no refresh", async () => {
    const h = harness(rotated, null);
    expect((await h.fetch("/a")).status).toBe(401);
    expect(h.sent).toEqual([{ authorization: null }]);
    expect(h.rotations).toEqual([]);
  });

  test("with a margin, a token close to expiry is rotated before it is sent", async () => {
    let pair: TokenPair = { ...stale, expiresAt: Date.now() + 5_000 };
    const refresher = new TokenRefresher<TokenPair>({
      current: () => pair,
      rotate: async () => ({ accessToken: "fresh", refreshToken: "r2", expiresAt: Date.now() + 900_000 }),
      save: (_before, next) => {
        pair = next;
        return next;
      },
      refreshMarginMs: 60_000,
    });
    expect(await refresher.accessToken()).toBe("fresh");
    // Fresh now: no second rotation.
    expect(await refresher.accessToken()).toBe("fresh");
    expect(pair.refreshToken).toBe("r2");
  });
});
