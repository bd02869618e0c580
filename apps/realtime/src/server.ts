import type { NatsConnection } from "@nats-io/transport-node";
import {
  CLOSE_BAD_FRAME,
  CLOSE_GOING_AWAY,
  CLOSE_IDLE,
  CLOSE_RATE_LIMITED,
  CLOSE_REVOKED,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_TOO_MANY_SOCKETS,
  CLOSE_UNAUTHORIZED,
  FRAME_ERROR_CODES,
  REALTIME_TOKEN_QUERY_PARAM,
  type TClientFrame,
} from "@parley/protocol";
import type { Server } from "bun";
import type { TokenCheck, TokenVerifier } from "./auth";
import type { GatewayEnv } from "./env";
import { closeSocket, Fanout } from "./fanout";
import { createMetrics, type Gauges, type Metrics } from "./metrics";
import { startOpsServer } from "./ops-server";
import { Presence } from "./presence";
import { resolveWatchList } from "./presence-watch";
import { encodeFrame, parseClientFrame } from "./protocol";
import { Revocations } from "./revocations";
import type { Socket, SocketData } from "./socket";
import { hasSocketRoom } from "./socket-limits";

export type Gateway = {
  server: Server<SocketData>;
  port: number;
  /** The ops listener (metrics, health details): not the public port. */
  metricsPort: number;
  metrics: Metrics;
  /** Resolves once revokes are heard: only then may the process accept tokens (and say it listens). */
  ready: Promise<void>;
  /** NATS connection lost / back (after the re-subscriptions' flush): revokes may have been missed. */
  natsLost: () => void;
  natsBack: () => void;
  fanout: Fanout;
  /** Notifies every socket that events may have been missed (called after a NATS reconnect). */
  resync: (reason: string) => void;
  /** SIGTERM path: 1001 to every socket, stop listening, release NATS subscriptions. */
  shutdown: () => Promise<void>;
};

export type GatewayDeps = { env: GatewayEnv; verifier: TokenVerifier; nc: NatsConnection };

/** Builds the Bun server: upgrade (token check), frames, heartbeats, expiry and backlog sweeps. */
export function startGateway({ env, verifier, nc }: GatewayDeps): Gateway {
  const metrics = createMetrics();
  let nextConnId = 1;
  let eventLoopLagMs = 0;
  let natsRttMs = 0;
  let draining = false;
  let server: Server<SocketData> | null = null;
  const getServer = () => {
    if (!server) throw new Error("server not started");
    return server;
  };
  const revocations = new Revocations(env.TOKEN_SKEW_MS);
  const presence: Presence = new Presence(nc, () => fanout, env, metrics);
  const fanout: Fanout = new Fanout(nc, getServer, env, metrics, {
    onUserOnline: (userId) => presence.userOnline(userId),
    onUserOffline: (userId) => presence.userOffline(userId),
    onSocketClosed: (ws) => presence.socketClosed(ws),
    onClientRevoked: (clientId) => revocations.add(clientId, Date.now()),
  });

  const send = (ws: Socket, frame: Parameters<typeof encodeFrame>[0]) => {
    metrics.framesOut++;
    if (ws.sendText(encodeFrame(frame)) === 0) metrics.drops++;
  };

  const rejectFrame = (
    ws: Socket,
    code: (typeof FRAME_ERROR_CODES)[keyof typeof FRAME_ERROR_CODES],
    message: string,
  ) => {
    metrics.badFrames++;
    ws.data.badFrames++;
    if (ws.data.badFrames > env.MAX_BAD_FRAMES) {
      closeSocket(ws, CLOSE_BAD_FRAME, code);
      return;
    }
    send(ws, { type: "error", code, message });
  };

  const handleFrame = async (ws: Socket, frame: TClientFrame) => {
    switch (frame.type) {
      case "ping":
        send(ws, { type: "pong", t: frame.t });
        return;
      case "pong":
        return;
      case "presence.watch": {
        const seq = ++ws.data.watchSeq;
        const list = await resolveWatchList(verifier, ws, frame);
        if (ws.data.closing || seq !== ws.data.watchSeq) return;
        // Refusals are answered but not counted as bad frames: the frame itself was well formed.
        if (!list.ok) {
          metrics.presenceRefused++;
          send(ws, { type: "error", code: FRAME_ERROR_CODES.presenceNotAllowed, message: "no valid ticket" });
          return;
        }
        if (presence.watch(ws, list.userIds) === "limited") {
          send(ws, { type: "error", code: FRAME_ERROR_CODES.presenceLimited, message: "watch budget spent" });
        }
        return;
      }
      case "auth": {
        const check = await verifier.verify(frame.token);
        if (ws.data.closing) return;
        if (!check.ok) {
          // An expired in-band token is just late; a forged one ends the socket.
          if (check.closeCode === CLOSE_TOKEN_EXPIRED) {
            send(ws, { type: "error", code: FRAME_ERROR_CODES.tokenInvalid, message: check.reason });
            return;
          }
          metrics.authFailures++;
          closeSocket(ws, CLOSE_UNAUTHORIZED, check.reason);
          return;
        }
        // A socket is bound to one user and client for life; a token for anyone else is an attack.
        if (check.claims.userId !== ws.data.userId || check.claims.clientId !== ws.data.clientId) {
          metrics.authFailures++;
          closeSocket(ws, CLOSE_UNAUTHORIZED, FRAME_ERROR_CODES.tokenMismatch);
          return;
        }
        const refusal = revocations.check(check.claims.clientId, check.claims.issuedAt, Date.now());
        if (refusal === "revoked") {
          metrics.revokedTokenRefusals++;
          closeSocket(ws, CLOSE_REVOKED, "client revoked");
          return;
        }
        if (refusal === "before-listening") {
          metrics.staleTokenRefusals++;
          send(ws, { type: "error", code: FRAME_ERROR_CODES.tokenInvalid, message: "token too old" });
          return;
        }
        metrics.authRefreshes++;
        ws.data.expiresAt = Math.max(ws.data.expiresAt, check.claims.expiresAt);
        // The new token's big dialogs replace the old set; auth.ok only once the new ones are live,
        // so a client that syncs a just-joined dialog after auth.ok misses nothing in between.
        await fanout.setDialogs(ws, check.claims.dialogIds, check.claims.issuedAt);
        if (ws.data.closing) return;
        send(ws, { type: "auth.ok", tokenExpiresAt: ws.data.expiresAt });
        return;
      }
    }
  };

  function isHealthy(): boolean {
    return !nc.isClosed() && nc.info !== undefined && !draining;
  }

  /** A valid signature is not enough: the client may have been revoked since the token was minted. */
  function refuseRevoked(check: Extract<TokenCheck, { ok: true }>, now: number): TokenCheck {
    const refusal = revocations.check(check.claims.clientId, check.claims.issuedAt, now);
    if (refusal === "revoked") {
      metrics.revokedTokenRefusals++;
      return { ok: false, closeCode: CLOSE_REVOKED, reason: "client revoked" };
    }
    if (refusal === "before-listening") {
      // Minted before this process could hear revokes: a fresh token costs the client one call.
      metrics.staleTokenRefusals++;
      return {
        ok: false,
        closeCode: CLOSE_UNAUTHORIZED,
        reason: "token older than this gateway's revocation list",
      };
    }
    return check;
  }

  server = Bun.serve<SocketData>({
    port: env.PORT,
    hostname: env.HOST,
    // Several processes share one port: the kernel spreads connections, each process stays < 20k fds.
    reusePort: true,
    async fetch(req, srv) {
      const url = new URL(req.url);
      // For a balancer's health check: up or not, nothing more (details are on the ops port).
      if (url.pathname === "/healthz") {
        return isHealthy() ? new Response("ok") : new Response("unavailable", { status: 503 });
      }
      if (url.pathname !== "/ws") return new Response("not found", { status: 404 });
      if (draining) return new Response("shutting down", { status: 503 });
      const verified = await verifier.verify(url.searchParams.get(REALTIME_TOKEN_QUERY_PARAM));
      const now = Date.now();
      const check = verified.ok ? refuseRevoked(verified, now) : verified;
      const data: SocketData = {
        connId: nextConnId++,
        userId: check.ok ? check.claims.userId : "",
        clientId: check.ok ? check.claims.clientId : "",
        expiresAt: check.ok ? check.claims.expiresAt : 0,
        lastRecvAt: now,
        lastPingAt: now,
        tokens: env.FRAME_BURST,
        tokensAt: now,
        badFrames: 0,
        // Upgrade even a bad token and close with a named code: a browser sees close codes, never
        // the HTTP status of a refused upgrade.
        rejectCode: check.ok ? 0 : check.closeCode,
        rejectReason: check.ok ? "" : check.reason,
        closing: false,
        watching: null,
        watchSeq: 0,
        // fanout.add joins these topics when the socket opens.
        dialogs: check.ok ? check.claims.dialogIds : [],
        leftDialogs: null,
      };
      if (!check.ok) metrics.authFailures++;
      if (srv.upgrade(req, { data })) return undefined;
      return new Response("expected a websocket upgrade", { status: 426 });
    },
    websocket: {
      maxPayloadLength: env.MAX_FRAME_BYTES,
      // Backstop only: the sweep and publish checks close slow consumers with 4010 well before this.
      backpressureLimit: env.SLOW_CONSUMER_BYTES * 2,
      closeOnBackpressureLimit: true,
      // Protocol-level idle backstop; the application heartbeat below is what clients rely on.
      idleTimeout: Math.min(960, Math.ceil((env.IDLE_TIMEOUT_MS * 2) / 1000)),
      sendPings: true,
      open(ws) {
        metrics.socketsOpened++;
        if (
          ws.data.rejectCode === 0 &&
          !hasSocketRoom(fanout.socketsOf(ws.data.userId), ws.data.clientId, env)
        ) {
          // Refused before it joins anything: close() then has nothing to undo.
          metrics.tooManySocketsCloses++;
          ws.data.rejectCode = CLOSE_TOO_MANY_SOCKETS;
          ws.data.rejectReason = "too many sockets";
        }
        if (ws.data.rejectCode !== 0) {
          closeSocket(ws, ws.data.rejectCode, ws.data.rejectReason);
          return;
        }
        void fanout.add(ws).then(() => {
          if (ws.data.closing) return;
          send(ws, {
            type: "hello",
            connectionId: `${env.GATEWAY_ID}:${ws.data.connId}`,
            heartbeatMs: env.HEARTBEAT_MS,
            tokenExpiresAt: ws.data.expiresAt,
            gatewayId: env.GATEWAY_ID,
          });
        });
      },
      message(ws, raw) {
        metrics.framesIn++;
        const data = ws.data;
        if (data.closing || data.rejectCode !== 0) return;
        const now = Date.now();
        data.lastRecvAt = now;
        data.tokens = Math.min(
          env.FRAME_BURST,
          data.tokens + ((now - data.tokensAt) * env.FRAME_RATE) / 1000,
        );
        data.tokensAt = now;
        if (data.tokens < 1) {
          metrics.rateLimitedCloses++;
          closeSocket(ws, CLOSE_RATE_LIMITED, "too many frames");
          return;
        }
        data.tokens -= 1;
        const parsed = parseClientFrame(raw);
        if (!parsed.ok) {
          rejectFrame(ws, parsed.code, parsed.message);
          return;
        }
        void handleFrame(ws, parsed.frame);
      },
      close(ws) {
        metrics.socketsClosed++;
        ws.data.closing = true;
        if (ws.data.rejectCode === 0) fanout.remove(ws);
      },
    },
  });

  const ready = fanout.start().then(() => revocations.listening(Date.now()));

  const gauges = (): Gauges => ({
    sockets: fanout.sockets.size,
    users: fanout.users.size,
    natsSubscriptions: fanout.users.size + fanout.dialogs.entries.size + presence.watchedUsers,
    bigDialogSubscriptions: fanout.dialogs.entries.size,
    natsRttMs,
    eventLoopLagMs,
    shedding: fanout.shedding,
    natsConnected: !nc.isClosed(),
    presenceWatchedUsers: presence.watchedUsers,
    revokedClients: revocations.size,
  });
  const ops = startOpsServer(env, { metrics, gauges, isHealthy });

  let lastSweepAt = Date.now();
  let lateSweeps = 0;
  const sweep = setInterval(() => {
    const now = Date.now();
    eventLoopLagMs = Math.max(0, now - lastSweepAt - env.SWEEP_MS);
    lastSweepAt = now;
    // Shed typing/presence while the loop is late: messages go first. Loop lag is also the one
    // signal of a NATS backlog here — callback subscriptions never queue in nats.js (getPending()
    // is always 0); unread events wait in the socket buffer until the loop parses them.
    // Two late sweeps in a row, not one: a single scheduler hiccup on a shared host is not load.
    lateSweeps = eventLoopLagMs > env.SHED_LAG_MS ? lateSweeps + 1 : 0;
    fanout.shedding = lateSweeps >= 2;
    revocations.prune(now);
    presence.sweep(now);
    const pingFrame = encodeFrame({ type: "ping", t: now });
    for (const ws of fanout.sockets) {
      const data = ws.data;
      if (data.closing) continue;
      if (now > data.expiresAt + env.TOKEN_SKEW_MS) {
        closeSocket(ws, CLOSE_TOKEN_EXPIRED, "token expired");
      } else if (now - data.lastRecvAt > env.IDLE_TIMEOUT_MS) {
        closeSocket(ws, CLOSE_IDLE, "no heartbeat");
      } else if (ws.getBufferedAmount() > env.SLOW_CONSUMER_BYTES) {
        metrics.slowConsumerCloses++;
        closeSocket(ws, CLOSE_SLOW_CONSUMER, "slow consumer");
      } else if (now - data.lastPingAt >= env.HEARTBEAT_MS) {
        data.lastPingAt = now;
        metrics.framesOut++;
        ws.sendText(pingFrame);
      }
    }
  }, env.SWEEP_MS);

  const rtt = setInterval(() => {
    nc.rtt().then(
      (ms) => {
        natsRttMs = ms;
      },
      () => {
        natsRttMs = -1;
      },
    );
  }, 5_000);

  const boundServer = server;
  return {
    server: boundServer,
    port: boundServer.port ?? env.PORT,
    metricsPort: ops.port ?? env.METRICS_PORT,
    metrics,
    ready,
    natsLost: () => revocations.deaf(),
    natsBack: () => revocations.listening(Date.now()),
    fanout,
    resync: (reason) => fanout.resyncAll(reason),
    async shutdown() {
      if (draining) return;
      draining = true;
      clearInterval(sweep);
      clearInterval(rtt);
      for (const ws of [...fanout.sockets]) closeSocket(ws, CLOSE_GOING_AWAY, "server shutting down");
      await Bun.sleep(Math.min(env.SHUTDOWN_GRACE_MS, 200));
      boundServer.stop(true);
      ops.stop(true);
      presence.stop();
      fanout.stop();
    },
  };
}
