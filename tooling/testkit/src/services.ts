import { connect } from "@nats-io/transport-node";
import { ServiceUnavailableError } from "@parley/db/testing";
import Redis from "ioredis";

export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export async function requireNats(url = TEST_NATS_URL): Promise<void> {
  try {
    const nc = await connect({ servers: url, timeout: 3000, reconnect: false });
    await nc.close();
  } catch (error) {
    throw new ServiceUnavailableError("NATS", url, error);
  }
}

export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new ServiceUnavailableError("Redis", url, error);
  } finally {
    redis.disconnect();
  }
}
