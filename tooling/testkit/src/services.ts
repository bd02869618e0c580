import { connect } from "@nats-io/transport-node";
import Redis from "ioredis";
import mysql from "mysql2/promise";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "mysql://root@127.0.0.1:3306";
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A missing service fails the test with one line naming it; tests never skip. */
export class ServiceUnavailableError extends Error {
  constructor(service: string, url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${service} is not reachable at ${redact(url)}: ${reason}`);
    this.name = "ServiceUnavailableError";
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

export async function requireMariaDb(url = TEST_DATABASE_URL): Promise<void> {
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await conn.end();
  } catch (error) {
    throw new ServiceUnavailableError("MariaDB", url, error);
  }
}

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
