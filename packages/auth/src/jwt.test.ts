import { describe, expect, test } from "bun:test";
import {
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
} from "@parley/protocol";
import { importPKCS8, SignJWT } from "jose";
import { generateEd25519PemPair } from "./generate-keys";
import { importPrivateKey, signRealtimeToken } from "./jwt";
import { verifyRealtimeToken } from "./realtime-token";

const subject = { userId: "101", clientId: "202" };

describe("realtime token dlg claim", () => {
  test("the big dialogs travel in dlg and come back as dialogIds; none → no claim, empty list", async () => {
    const pair = await generateEd25519PemPair();
    const key = await importPrivateKey(pair.privatePem);
    const listed = await signRealtimeToken(key, subject, ["9", "8"]);
    expect(await verifyRealtimeToken(pair.publicPem, listed.token)).toMatchObject({
      ...subject,
      dialogIds: ["9", "8"],
    });
    const none = await signRealtimeToken(key, subject);
    const [, payload] = none.token.split(".");
    expect(JSON.parse(Buffer.from(payload ?? "", "base64url").toString())).not.toHaveProperty(
      REALTIME_TOKEN_DIALOGS_CLAIM,
    );
    expect((await verifyRealtimeToken(pair.publicPem, none.token)).dialogIds).toEqual([]);
  });

  test("a signed token whose dlg is not a list of ids is refused", async () => {
    const pair = await generateEd25519PemPair();
    const key = await importPKCS8(pair.privatePem, "EdDSA");
    const token = await new SignJWT({ cid: subject.clientId, [REALTIME_TOKEN_DIALOGS_CLAIM]: "not-a-list" })
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject(subject.userId)
      .setIssuer(REALTIME_TOKEN_ISSUER)
      .setAudience(REALTIME_TOKEN_AUDIENCE)
      .setExpirationTime("60s")
      .sign(key);
    await expect(verifyRealtimeToken(pair.publicPem, token)).rejects.toThrow("invalid realtime token");
  });
});
