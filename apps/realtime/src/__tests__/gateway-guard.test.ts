import { describe, expect, test } from "bun:test";
import {
  CLOSE_BAD_FRAME,
  CLOSE_GOING_AWAY,
  CLOSE_IDLE,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_RATE_LIMITED,
  CLOSE_REVOKED,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_UNAUTHORIZED,
  clientRevokeSubject,
  MAX_CLIENT_FRAME_BYTES,
  PRESENCE_SEEN_SUBJECT,
  userSubject,
} from "@parley/protocol";
import { messageEvent } from "@parley/testkit/events";
import { useGatewayFixture } from "@parley/testkit/gateway-fixture";
import { mintWith } from "@parley/testkit/keys";
import { expectSlowConsumerClose } from "@parley/testkit/slow-consumer";
import { openProbe } from "@parley/testkit/ws-probe";
import { exportSPKI, generateKeyPair } from "jose";

const fx = useGatewayFixture({
  env: {
    IDLE_TIMEOUT_MS: "2500",
    HEARTBEAT_MS: "1000",
    SWEEP_MS: "200",
    TOKEN_SKEW_MS: "0",
    FRAME_RATE: "20",
    FRAME_BURST: "40",
  },
});
const { newId } = fx;
const connectUser = (userId?: string, clientId?: string) => fx.connect({ userId, clientId });

describe("gateway guards", () => {
  test("missing, forged and expired tokens get their named close codes", async () => {
    const missing = openProbe(fx.gateway.wsUrl);
    expect((await missing.closed).code).toBe(CLOSE_UNAUTHORIZED);

    const other = await generateKeyPair("EdDSA", { extractable: true });
    const forged = fx.openSocket(await mintWith(other.privateKey, "11", "12"));
    expect((await forged.closed).code).toBe(CLOSE_UNAUTHORIZED);

    const garbage = fx.openSocket("not.a.jwt");
    expect((await garbage.closed).code).toBe(CLOSE_UNAUTHORIZED);

    const expired = fx.openSocket(await fx.keys.mint("11", "12", { issuedAtOffsetSeconds: -120 }));
    expect((await expired.closed).code).toBe(CLOSE_TOKEN_EXPIRED);

    const tooLong = fx.openSocket(await fx.keys.mint("11", "12", { ttlSeconds: 3600 }));
    expect((await tooLong.closed).code).toBe(CLOSE_UNAUTHORIZED);
    expect(typeof (await exportSPKI(other.publicKey))).toBe("string");
  });

  test("garbage, unknown and binary frames get error frames, then CLOSE_BAD_FRAME; others keep receiving", async () => {
    const bystander = await connectUser();
    const { probe } = await connectUser();
    probe.send("{not json");
    await probe.waitFor((f) => f.type === "error" && f.code === "bad_json");
    probe.send({ type: "launch.missiles" });
    await probe.waitFor((f) => f.type === "error" && f.code === "unknown_frame");
    probe.send({ type: "presence.watch", userIds: ["not-an-id"] });
    await probe.waitFor((f) => f.type === "error" && f.code === "bad_frame");
    probe.ws.send(new Uint8Array([1, 2, 3]));
    await probe.waitFor((f) => f.type === "error" && f.code === "binary_frame");
    for (let i = 0; i < 5; i++) probe.send("x");
    expect((await probe.closed).code).toBe(CLOSE_BAD_FRAME);

    fx.nc.publish(
      userSubject(bystander.userId),
      JSON.stringify(messageEvent("77", 1, { senderId: bystander.userId })),
    );
    await bystander.probe.waitFor((f) => f.type === "event" && f.event.type === "message");
  });

  test("an oversized frame closes with 1009; a flood closes with CLOSE_RATE_LIMITED", async () => {
    const big = await connectUser();
    big.probe.send({ type: "auth", token: "x".repeat(MAX_CLIENT_FRAME_BYTES + 10) });
    expect((await big.probe.closed).code).toBe(CLOSE_MESSAGE_TOO_BIG);

    const bystander = await connectUser();
    const flood = await connectUser();
    for (let i = 0; i < 500; i++) flood.probe.send({ type: "ping", t: i });
    expect((await flood.probe.closed).code).toBe(CLOSE_RATE_LIMITED);

    bystander.probe.send({ type: "ping", t: 42 });
    await bystander.probe.waitFor((f) => f.type === "pong" && f.t === 42);
  });

  test("delivers NATS events to every socket of the user, and only while subscribed", async () => {
    const userId = newId();
    const a = await connectUser(userId);
    const b = await connectUser(userId);
    fx.nc.publish(userSubject(userId), JSON.stringify(messageEvent("77", 1, { senderId: userId })));
    for (const { probe } of [a, b]) {
      const frame = await probe.waitFor((f) => f.type === "event");
      expect(frame.type === "event" && frame.event.type === "message" && frame.event.seq).toBe(1);
    }
  });

  test("revoking a client closes its sockets within 2 s; the user's other client keeps receiving", async () => {
    const userId = newId();
    const revoked = await connectUser(userId);
    const kept = await connectUser(userId);
    const started = Date.now();
    fx.nc.publish(
      clientRevokeSubject(revoked.clientId),
      JSON.stringify({ type: "revoke", userId, clientId: revoked.clientId }),
    );
    expect((await revoked.probe.closed).code).toBe(CLOSE_REVOKED);
    expect(Date.now() - started).toBeLessThan(2_000);
    fx.nc.publish(userSubject(userId), JSON.stringify(messageEvent("77", 1, { senderId: userId })));
    await kept.probe.waitFor((f) => f.type === "event");
  });

  test("in-band refresh keeps a socket past its first token; without it the socket closes 4002", async () => {
    const userId = newId();
    const clientId = newId();
    const refreshed = fx.openSocket(await fx.keys.mint(userId, clientId, { ttlSeconds: 2 }));
    const lapsed = fx.openSocket(await fx.keys.mint(newId(), newId(), { ttlSeconds: 2 }));
    await refreshed.waitFor((f) => f.type === "hello");
    refreshed.send({ type: "auth", token: await fx.keys.mint(userId, clientId, { ttlSeconds: 30 }) });
    await refreshed.waitFor((f) => f.type === "auth.ok");
    const ping = setInterval(() => refreshed.send({ type: "ping" }), 500);
    expect((await lapsed.closed).code).toBe(CLOSE_TOKEN_EXPIRED);
    await Bun.sleep(1_000);
    clearInterval(ping);
    expect(refreshed.ws.readyState).toBe(WebSocket.OPEN);

    // A token for someone else is an attack, not a refresh.
    refreshed.send({ type: "auth", token: await fx.keys.mint(newId(), clientId) });
    expect((await refreshed.closed).code).toBe(CLOSE_UNAUTHORIZED);
  });

  test("heartbeats: the gateway pings; a silent socket closes with CLOSE_IDLE", async () => {
    const silent = await connectUser();
    await silent.probe.waitFor((f) => f.type === "ping", 3_000);
    expect((await silent.probe.closed).code).toBe(CLOSE_IDLE);
  });

  test("presence: watchers see online/offline; last seen is published; typing is forwarded", async () => {
    const watcher = await connectUser();
    const watchedId = newId();
    const seen: string[] = [];
    const seenSub = fx.nc.subscribe(PRESENCE_SEEN_SUBJECT, {
      callback: (_e, msg) => void seen.push(msg.string()),
    });
    const keepAlive = setInterval(() => watcher.probe.send({ type: "ping" }), 500);
    watcher.probe.send({
      type: "presence.watch",
      ticket: await fx.keys.ticket(watcher.userId, watcher.clientId, [watchedId]),
    });
    await watcher.probe.waitFor((f) => f.type === "event" && f.event.type === "presence" && !f.event.online);
    const watched = await connectUser(watchedId);
    await watcher.probe.waitFor((f) => f.type === "event" && f.event.type === "presence" && f.event.online);
    fx.nc.publish(
      userSubject(watchedId),
      JSON.stringify({ type: "typing", dialogId: "77", userId: "5", expiresAt: Date.now() + 5_000 }),
    );
    await watched.probe.waitFor((f) => f.type === "event" && f.event.type === "typing");
    const before = watcher.probe.frames.length;
    watched.probe.ws.close();
    await watcher.probe.waitFor(
      (f) =>
        watcher.probe.frames.indexOf(f) >= before &&
        f.type === "event" &&
        f.event.type === "presence" &&
        !f.event.online,
    );
    clearInterval(keepAlive);
    expect(seen.some((s) => s.includes(watched.clientId))).toBe(true);
    seenSub.unsubscribe();
  });

  test("a consumer that stops reading is closed with CLOSE_SLOW_CONSUMER; others keep receiving", async () => {
    const userId = newId();
    const bystander = await connectUser();
    const big = { ...messageEvent("77", 1, { senderId: userId }) };
    big.message = { ...big.message, content: { kind: "text", text: "x".repeat(3_500) } };
    await expectSlowConsumerClose({
      gateway: fx.gateway,
      token: await fx.keys.mint(userId, newId()),
      nc: fx.nc,
      subject: userSubject(userId),
      payload: JSON.stringify(big),
    });
    fx.nc.publish(
      userSubject(bystander.userId),
      JSON.stringify(messageEvent("77", 1, { senderId: bystander.userId })),
    );
    await bystander.probe.waitFor((f) => f.type === "event");
  });

  test("/healthz answers on the public port, /metrics on the ops port", async () => {
    const health = await fetch(`${fx.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${fx.gateway.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/realtime_sockets \d+/);
    expect(metrics).toMatch(/realtime_frames_in_total [1-9]/);
    expect(metrics).toMatch(/realtime_bad_frames_total [1-9]/);
  });

  test("SIGTERM closes sockets with 1001 going away", async () => {
    const { probe } = await connectUser();
    await fx.gateway.kill("SIGTERM");
    expect((await probe.closed).code).toBe(CLOSE_GOING_AWAY);
  });
});
