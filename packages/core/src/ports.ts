/**
 * What the domain core asks of the outside world, as small types: a publisher (NATS in production),
 * an id source (leased snowflakes) and a clock. Leaf module: the per-process state modules and the
 * service bag both depend on it, never the other way round.
 */

/**
 * Publishes to NATS. Implementations: the real NATS connection (and a recorder in unit helpers).
 * `publish` throws when it cannot hand the event to NATS (e.g. NATS is down): the send path then
 * keeps its outbox row and the relay delivers later.
 */
export type EventPublisher = {
  publish: (subject: string, payload: unknown) => void;
  /** Optional: the same for an event already serialised as JSON (one serialisation per event, not per member). */
  publishJson?: (subject: string, json: string) => void;
  /**
   * Resolves once NATS holds everything published before the call (a round trip to the server);
   * rejects when it cannot say so. `publish` returning only means the client buffered it: an outbox
   * row is forgotten after this, never before.
   */
  flush?: () => Promise<void>;
};

export type IdGenerator = { nextId: () => string };

/**
 * Wall-clock time (ms since the epoch) for what is stored or sent: created and joined times,
 * expiries, a big group's grace. Local timeouts and timers (waits, batching, beacons) use real time.
 */
export type Clock = { now: () => number };

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
