import { hostname } from "node:os";
import { DEFAULT_NATS_URL, type EnvSource, MAX_CLIENT_FRAME_BYTES, parseEnv } from "@parley/protocol";
import { z } from "zod";

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const ZGatewayEnv = z.object({
  /** 0 picks a free port (tests); the bound port is logged as {"event":"listening","port":…}. */
  PORT: int(8080),
  HOST: z.string().default("0.0.0.0"),
  /** Comma-separated NATS servers; the client fails over between them. */
  NATS_URL: z.string().default(DEFAULT_NATS_URL),
  /** Ed25519 public key: SPKI PEM (literal "\n" accepted) or a JWK as JSON. Gateways never mint. */
  REALTIME_TOKEN_PUBLIC_KEY: z.string().min(20, "REALTIME_TOKEN_PUBLIC_KEY is required"),
  /**
   * Metrics and health details, apart from the public port so a balancer never exposes them. Its own
   * port per process (no reusePort: a scrape must reach the process it names); 0 picks a free one.
   */
  METRICS_PORT: int(9464),
  METRICS_HOST: z.string().default("127.0.0.1"),
  GATEWAY_ID: z.string().max(128).default(`${hostname()}-${process.pid}`),
  /** Clients and gateway ping each other this often; silence for IDLE_TIMEOUT_MS closes the socket. */
  HEARTBEAT_MS: int(25_000, 1_000),
  IDLE_TIMEOUT_MS: int(60_000, 2_000),
  /** Clock skew tolerated on token expiry. */
  TOKEN_SKEW_MS: int(2_000),
  MAX_FRAME_BYTES: int(MAX_CLIENT_FRAME_BYTES, 256),
  /** Bytes buffered for one socket before it is closed as a slow consumer (resumable). */
  SLOW_CONSUMER_BYTES: int(1_048_576, 16_384),
  /** Above this many buffered bytes a socket gets no typing/presence (shed first). */
  SHED_BUFFER_BYTES: int(65_536, 1_024),
  /** Event-loop lag that turns on global shedding of typing/presence. */
  SHED_LAG_MS: int(50, 1),
  /** Token bucket per socket: sustained frames/s and burst. */
  FRAME_RATE: int(20, 1),
  FRAME_BURST: int(60, 1),
  /**
   * Sockets one client / one user may hold on this process; more close CLOSE_TOO_MANY_SOCKETS. A
   * client has one socket, plus one or two a dead network left behind until they time out.
   */
  MAX_SOCKETS_PER_CLIENT: int(4, 1),
  MAX_SOCKETS_PER_USER: int(16, 1),
  /**
   * Presence work budget: every user newly watched by a socket may cost a NATS subscription and a
   * probe, so watches are counted per id, not per frame. Per user on this process (all its sockets):
   * new watched ids per second and burst; per process: probes per second and distinct watched users.
   */
  PRESENCE_WATCH_RATE: int(20, 1),
  PRESENCE_WATCH_BURST: int(500, 1),
  PRESENCE_PROBE_RATE: int(500, 1),
  PRESENCE_MAX_WATCHED: int(50_000, 1),
  /** Bad frames tolerated (each answered with an error frame) before CLOSE_BAD_FRAME. */
  MAX_BAD_FRAMES: int(5, 1),
  /** A user is reported offline only after this grace, so a reconnect does not flicker. */
  PRESENCE_GRACE_MS: int(3_000),
  /** SIGTERM: time to let clients go after the 1001 close before exiting. */
  SHUTDOWN_GRACE_MS: int(2_000),
  SWEEP_MS: int(1_000, 50),
});
export type GatewayEnv = z.infer<typeof ZGatewayEnv>;

/** Parses the environment once at start-up; a bad variable stops the process naming it. */
export function loadGatewayEnv(source: EnvSource = process.env): GatewayEnv {
  try {
    return parseGatewayEnv(source);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

export function parseGatewayEnv(source: EnvSource): GatewayEnv {
  return parseEnv(ZGatewayEnv, source, "realtime");
}
