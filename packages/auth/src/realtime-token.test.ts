import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
} from "@parley/protocol";
import { exportJWK, generateKeyPair, importPKCS8, SignJWT } from "jose";
import { generateEd25519PemPair } from "./generate-keys";
import { importPrivateKey, signAccessToken, signRealtimeToken } from "./jwt";
import { checkRealtimeToken, importRealtimePublicKey } from "./realtime-token";

const subject = { userId: "101", clientId: "202" };
const pair = await generateEd25519PemPair();
const signingKey = await importPrivateKey(pair.privatePem);
const publicKey = await importRealtimePublicKey(pair.publicPem);

type Claims = Record<string, unknown>;
/** A token signed with the realtime key but with claims and times of the test's choosing. */
async function forge(
  claims: Claims,
  times: { iat: number; exp: number },
  audience = REALTIME_TOKEN_AUDIENCE,
) {
  const key = await importPKCS8(pair.privatePem, REALTIME_TOKEN_ALG);
  return new SignJWT({ cid: subject.clientId, ...claims })
    .setProtectedHeader({ alg: REALTIME_TOKEN_ALG })
    .setSubject(typeof claims.sub === "string" ? claims.sub : subject.userId)
    .setIssuer(REALTIME_TOKEN_ISSUER)
    .setAudience(audience)
    .setIssuedAt(times.iat)
    .setExpirationTime(times.exp)
    .sign(key);
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("checkRealtimeToken", () => {
  test("a minted token gives its subject, times and big dialogs (repeats dropped)", async () => {
    const minted = await signRealtimeToken(signingKey, subject, ["9", "8", "9"]);
    const check = await checkRealtimeToken(publicKey, minted.token);
    if (!check.ok) throw new Error(`refused: ${check.refusal}`);
    expect(check.claims).toMatchObject({ ...subject, expiresAt: minted.expiresAt, dialogIds: ["9", "8"] });
    expect(check.claims.issuedAt).toBe(minted.expiresAt - 60_000);
    const none = await checkRealtimeToken(publicKey, (await signRealtimeToken(signingKey, subject)).token);
    expect(none.ok && none.claims.dialogIds).toEqual([]);
  });

  test("no token is 'missing'; a lapsed one is 'expired' unless within the clock tolerance", async () => {
    expect(await checkRealtimeToken(publicKey, undefined)).toEqual({ ok: false, refusal: "missing" });
    expect(await checkRealtimeToken(publicKey, "")).toEqual({ ok: false, refusal: "missing" });
    const lapsed = await forge({}, { iat: nowSeconds() - 60, exp: nowSeconds() - 30 });
    expect(await checkRealtimeToken(publicKey, lapsed)).toEqual({ ok: false, refusal: "expired" });
    expect((await checkRealtimeToken(publicKey, lapsed, { clockToleranceMs: 60_000 })).ok).toBe(true);
  });

  test("a token living beyond the 60 s cap is refused, however it was signed", async () => {
    const long = await forge({}, { iat: nowSeconds(), exp: nowSeconds() + 3_600 });
    expect(await checkRealtimeToken(publicKey, long)).toEqual({ ok: false, refusal: "too_long" });
    const backdated = await forge({}, { iat: nowSeconds() - 3_600, exp: nowSeconds() + 30 });
    expect(await checkRealtimeToken(publicKey, backdated)).toEqual({ ok: false, refusal: "too_long" });
  });

  test("claims that are not ids are 'bad_claims'", async () => {
    const times = { iat: nowSeconds(), exp: nowSeconds() + 30 };
    const badDialogs = await forge({ [REALTIME_TOKEN_DIALOGS_CLAIM]: "not-a-list" }, times);
    expect(await checkRealtimeToken(publicKey, badDialogs)).toEqual({ ok: false, refusal: "bad_claims" });
    const badSubject = await forge({ sub: "alice" }, times);
    expect(await checkRealtimeToken(publicKey, badSubject)).toEqual({ ok: false, refusal: "bad_claims" });
  });

  test("another audience, another key or another algorithm is 'invalid'", async () => {
    const access = await signAccessToken(signingKey, subject, 900);
    expect(await checkRealtimeToken(publicKey, access.token)).toEqual({ ok: false, refusal: "invalid" });
    const other = await generateEd25519PemPair();
    const foreign = await signRealtimeToken(await importPrivateKey(other.privatePem), subject);
    expect(await checkRealtimeToken(publicKey, foreign.token)).toEqual({ ok: false, refusal: "invalid" });
    const hmac = await new SignJWT({ cid: subject.clientId })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(subject.userId)
      .setIssuer(REALTIME_TOKEN_ISSUER)
      .setAudience(REALTIME_TOKEN_AUDIENCE)
      .setExpirationTime("30s")
      .sign(new TextEncoder().encode(pair.publicPem));
    expect(await checkRealtimeToken(publicKey, hmac)).toEqual({ ok: false, refusal: "invalid" });
    expect(await checkRealtimeToken(publicKey, "not.a.jwt")).toEqual({ ok: false, refusal: "invalid" });
  });
});

describe("importRealtimePublicKey", () => {
  test("takes a PEM with literal \\n escapes (one .env line) or a public JWK; refuses a private JWK", async () => {
    const minted = await signRealtimeToken(signingKey, subject);
    const escaped = await importRealtimePublicKey(pair.publicPem.replace(/\n/g, "\\n"));
    expect((await checkRealtimeToken(escaped, minted.token)).ok).toBe(true);

    const jwkPair = await generateKeyPair(REALTIME_TOKEN_ALG, { extractable: true });
    const fromJwk = await importRealtimePublicKey(JSON.stringify(await exportJWK(jwkPair.publicKey)));
    const byJwkPair = await signRealtimeToken(jwkPair.privateKey, subject);
    expect((await checkRealtimeToken(fromJwk, byJwkPair.token)).ok).toBe(true);
    await expect(
      importRealtimePublicKey(JSON.stringify(await exportJWK(jwkPair.privateKey))),
    ).rejects.toThrow("must be a public key");
  });
});

describe("the @parley/auth/realtime-token entry", () => {
  test("reaches only jose and @parley/protocol (a gateway takes it without the UAA's database code)", () => {
    const transpiler = new Bun.Transpiler({ loader: "ts" });
    const packages = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { path } of transpiler.scanImports(readFileSync(file, "utf8"))) {
        if (path.startsWith(".")) visit(join(dirname(file), path.endsWith(".ts") ? path : `${path}.ts`));
        else packages.add(path);
      }
    };
    visit(join(import.meta.dir, "realtime-token.ts"));
    expect([...packages].sort()).toEqual(["@parley/protocol", "jose"]);
  });
});
