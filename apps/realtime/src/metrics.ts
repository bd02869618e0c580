/**
 * Plain counters rendered as Prometheus text: a scrape costs one string build and nothing is
 * allocated per frame. Gauges are read from the live state at scrape time.
 */
export type Metrics = {
  socketsOpened: number;
  socketsClosed: number;
  framesIn: number;
  framesOut: number;
  /** Deliveries: frames queued to sockets for NATS events (one event to 3 sockets = 3). */
  deliveries: number;
  /** The part of `deliveries` that came through big-dialog subjects (`chat.dialog.<id>`). */
  dialogDeliveries: number;
  /** Sockets dropped from a big dialog's topic by a "left" event (before any token refresh). */
  dialogRemovals: number;
  /** Typing/presence frames shed under load. */
  shed: number;
  /** Frames Bun dropped (send/publish returned 0) — the socket is then closed as a slow consumer. */
  drops: number;
  slowConsumerCloses: number;
  badFrames: number;
  rateLimitedCloses: number;
  authFailures: number;
  /** In-band token refreshes accepted. */
  authRefreshes: number;
  revokeCloses: number;
  natsMessages: number;
  natsReconnects: number;
  natsDisconnects: number;
  resyncsSent: number;
  /** Subscription flushes that did not finish in time (NATS away): hello went out anyway. */
  flushTimeouts: number;
  /** Sockets refused because their client or user already held its share here. */
  tooManySocketsCloses: number;
  /** Tokens refused because their client was revoked, or minted before revokes could be heard. */
  revokedTokenRefusals: number;
  staleTokenRefusals: number;
  /** Probes sent to learn a newly watched user's state (at most one per user per process). */
  presenceProbes: number;
  /** presence.watch frames refused for a missing or bad ticket / over a work budget. */
  presenceRefused: number;
  presenceLimited: number;
};

export function createMetrics(): Metrics {
  return {
    socketsOpened: 0,
    socketsClosed: 0,
    framesIn: 0,
    framesOut: 0,
    deliveries: 0,
    dialogDeliveries: 0,
    dialogRemovals: 0,
    shed: 0,
    drops: 0,
    slowConsumerCloses: 0,
    badFrames: 0,
    rateLimitedCloses: 0,
    authFailures: 0,
    authRefreshes: 0,
    revokeCloses: 0,
    natsMessages: 0,
    natsReconnects: 0,
    natsDisconnects: 0,
    resyncsSent: 0,
    flushTimeouts: 0,
    tooManySocketsCloses: 0,
    revokedTokenRefusals: 0,
    staleTokenRefusals: 0,
    presenceProbes: 0,
    presenceRefused: 0,
    presenceLimited: 0,
  };
}

export type Gauges = {
  sockets: number;
  users: number;
  natsSubscriptions: number;
  bigDialogSubscriptions: number;
  natsRttMs: number;
  eventLoopLagMs: number;
  shedding: boolean;
  natsConnected: boolean;
  /** Distinct users watched for presence here (one subscription each). */
  presenceWatchedUsers: number;
  /** Revoked clients remembered (their tokens are refused). */
  revokedClients: number;
};

const COUNTERS: [keyof Metrics, string][] = [
  ["socketsOpened", "realtime_sockets_opened_total"],
  ["socketsClosed", "realtime_sockets_closed_total"],
  ["framesIn", "realtime_frames_in_total"],
  ["framesOut", "realtime_frames_out_total"],
  ["deliveries", "realtime_deliveries_total"],
  ["dialogDeliveries", "realtime_dialog_deliveries_total"],
  ["dialogRemovals", "realtime_dialog_removals_total"],
  ["shed", "realtime_shed_total"],
  ["drops", "realtime_drops_total"],
  ["slowConsumerCloses", "realtime_slow_consumer_closes_total"],
  ["badFrames", "realtime_bad_frames_total"],
  ["rateLimitedCloses", "realtime_rate_limited_closes_total"],
  ["authFailures", "realtime_auth_failures_total"],
  ["authRefreshes", "realtime_auth_refreshes_total"],
  ["revokeCloses", "realtime_revoke_closes_total"],
  ["natsMessages", "realtime_nats_messages_total"],
  ["natsReconnects", "realtime_nats_reconnects_total"],
  ["natsDisconnects", "realtime_nats_disconnects_total"],
  ["resyncsSent", "realtime_resyncs_sent_total"],
  ["flushTimeouts", "realtime_flush_timeouts_total"],
  ["tooManySocketsCloses", "realtime_too_many_sockets_closes_total"],
  ["revokedTokenRefusals", "realtime_revoked_token_refusals_total"],
  ["staleTokenRefusals", "realtime_stale_token_refusals_total"],
  ["presenceProbes", "realtime_presence_probes_total"],
  ["presenceRefused", "realtime_presence_refused_total"],
  ["presenceLimited", "realtime_presence_limited_total"],
];

export function renderMetrics(metrics: Metrics, gauges: Gauges): string {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const lines: string[] = [];
  for (const [key, name] of COUNTERS) {
    lines.push(`# TYPE ${name} counter`, `${name} ${metrics[key]}`);
  }
  const gaugeLines: [string, number][] = [
    ["realtime_sockets", gauges.sockets],
    ["realtime_users", gauges.users],
    ["realtime_nats_subscriptions", gauges.natsSubscriptions],
    ["realtime_big_dialog_subscriptions", gauges.bigDialogSubscriptions],
    ["realtime_nats_rtt_ms", gauges.natsRttMs],
    ["realtime_nats_connected", gauges.natsConnected ? 1 : 0],
    ["realtime_event_loop_lag_ms", gauges.eventLoopLagMs],
    ["realtime_shedding", gauges.shedding ? 1 : 0],
    ["realtime_presence_watched_users", gauges.presenceWatchedUsers],
    ["realtime_revoked_clients", gauges.revokedClients],
    ["process_resident_memory_bytes", memory.rss],
    ["process_heap_used_bytes", memory.heapUsed],
    ["process_cpu_user_seconds", cpu.user / 1e6],
    ["process_cpu_system_seconds", cpu.system / 1e6],
  ];
  for (const [name, value] of gaugeLines) lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
  return `${lines.join("\n")}\n`;
}
