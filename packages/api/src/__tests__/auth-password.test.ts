import { describe, expect, test } from "bun:test";
import { createTestAuthConfig, signTestAccessToken } from "@parley/auth/testing";
import { authFixture } from "./auth-harness";

const h = await authFixture("authpw");

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("password sign-up and sign-in", () => {
  test("sign-up in token mode gives working tokens; user.me names the user and this client", async () => {
    const signedUp = await h.signUpWithTokens("Alice", "correct horse battery", "Alice's phone");
    expect(signedUp.accessToken.split(".")).toHaveLength(3);
    expect(signedUp.expiresAt).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(signedUp.expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    const { call } = await h.caller(bearer(signedUp.accessToken));
    const me = await call.user.me();
    // Handles are stored in lower case (an upper-case I would pass for an l).
    expect(me).toEqual({
      id: signedUp.userId,
      handle: "alice",
      displayName: "User Alice",
      clientId: signedUp.clientId,
    });
    const clients = await call.user.clients();
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({
      id: signedUp.clientId,
      name: "Alice's phone",
      kind: "token",
      current: true,
    });
  });

  test("handles are unique after NFKC normalisation and case folding", async () => {
    const { call } = await h.caller();
    for (const variant of ["ALICE", "ａｌｉｃｅ", " alice "]) {
      await expect(
        call.auth.signUp({
          handle: variant,
          displayName: "Impostor",
          password: "another password 1",
          mode: "token",
        }),
      ).rejects.toThrow("this handle is taken");
    }
  });

  test("password rules are enforced at sign-up", async () => {
    const { call } = await h.caller();
    await expect(
      call.auth.signUp({ handle: "shorty", displayName: "S", password: "short", mode: "token" }),
    ).rejects.toThrow(/at least 10 characters/);
    await expect(
      call.auth.signUp({ handle: "x", displayName: "S", password: "long enough password", mode: "token" }),
    ).rejects.toThrow(/handle must be at least 3/);
  });

  test("wrong password and unknown handle fail with the same message", async () => {
    const { call } = await h.caller({}, "10.0.0.1");
    const wrongPassword = await call.auth
      .signIn({ handle: "alice", password: "not the password", mode: "token" })
      .catch((error: Error) => error);
    const unknownHandle = await call.auth
      .signIn({ handle: "nobody-here", password: "not the password", mode: "token" })
      .catch((error: Error) => error);
    expect(wrongPassword).toBeInstanceOf(Error);
    expect((wrongPassword as Error).message).toBe("wrong handle or password");
    expect((unknownHandle as Error).message).toBe("wrong handle or password");
  });

  test("sign-in by any case of the handle creates a new client", async () => {
    const { call } = await h.caller(
      { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" },
      "10.0.0.2",
    );
    const signedIn = await call.auth.signIn({
      handle: "ALICE",
      password: "correct horse battery",
      mode: "token",
    });
    if (signedIn.mode !== "token") throw new Error("expected token mode");
    const me = await (await h.caller(bearer(signedIn.accessToken))).call.user.clients();
    expect(me).toHaveLength(2);
    expect(me.find((client) => client.current)?.name).toBe("Firefox on Linux");
  });

  test("user.byHandle finds public profile fields, signed-in users only", async () => {
    const bob = await h.signUpWithTokens("bob_b");
    const { call } = await h.caller(bearer(bob.accessToken));
    const alice = await call.user.byHandle({ handle: "ALİCE".replace("İ", "I") });
    expect(alice).toEqual({ id: expect.any(String), handle: "alice", displayName: "User Alice" });
    await expect(call.user.byHandle({ handle: "ghost" })).rejects.toThrow("no user with this handle");
    const anonymous = await h.caller();
    await expect(anonymous.call.user.byHandle({ handle: "alice" })).rejects.toThrow("sign in required");
  });

  test("an expired access token is refused with a clear error", async () => {
    const signedUp = await h.signUpWithTokens("carol");
    const subject = { userId: signedUp.userId, clientId: signedUp.clientId };
    const expired = await signTestAccessToken({
      privateKeyPem: h.config.accessTokenPrivateKey,
      ...subject,
      issuedAt: Date.now() - 1_000_000,
      expiresAt: Date.now() - 60_000,
    });
    await expect(h.caller(bearer(expired))).rejects.toThrow("access token expired: refresh it");
    // A token signed by another key (forged) is refused too.
    const attacker = await createTestAuthConfig();
    const forged = await signTestAccessToken({
      privateKeyPem: attacker.accessTokenPrivateKey,
      ...subject,
      issuedAt: Date.now(),
      expiresAt: Date.now() + 600_000,
    });
    await expect(h.caller(bearer(forged))).rejects.toThrow("invalid access token");
  });

  test("no statement scattered across shards", () => {
    expect(h.testDb.statements.size).toBeGreaterThan(5);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
