/**
 * `NATS_URL` as the NATS client wants it: a list. A comma-separated string handed over as is is ONE
 * server name to nats.js (in practice it tried only the last entry), so a cluster URL whose last
 * node was down never connected. Every process splits it with this.
 */
export function natsServers(url: string): string[] {
  return url
    .split(",")
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
}
