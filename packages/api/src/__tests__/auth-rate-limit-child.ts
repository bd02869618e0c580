/**
 * A second API process for the rate-limit test: its own database pool, Redis client and ApiServices,
 * making wrong-password sign-ins through a real tRPC caller. Prints the outcomes as one JSON line.
 */
import { createAuthService } from "@parley/auth";
import { connectTestPublisher, createTestAuthConfig, createTestIds } from "@parley/auth/testing";
import { createDb } from "@parley/db";
import { TEST_NATS_URL, TEST_REDIS_URL } from "@parley/testkit";
import Redis from "ioredis";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

const { CHILD_DATABASE_URL, CHILD_HANDLE, CHILD_ATTEMPTS, CHILD_IP } = process.env;
if (!CHILD_DATABASE_URL || !CHILD_HANDLE || !CHILD_ATTEMPTS) throw new Error("child: missing env");

const handle = createDb(CHILD_DATABASE_URL, { connectionLimit: 2 });
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
const nats = await connectTestPublisher(TEST_NATS_URL);
const ids = createTestIds();
const auth = createAuthService(await createTestAuthConfig(), {
  db: handle.db,
  redis,
  events: nats.events,
  ids,
});
const services: ApiServices = assembleApiServices({ db: handle.db, redis, events: nats.events, ids }, auth);
const outcomes: string[] = [];
for (let i = 0; i < Number(CHILD_ATTEMPTS); i++) {
  const ctx = await createContext(services, { headers: new Headers(), ip: CHILD_IP ?? null }, new Headers());
  const call = createCallerFactory(appRouter)(ctx);
  try {
    await call.auth.signIn({ handle: CHILD_HANDLE, password: "wrong password!", mode: "token" });
    outcomes.push("signed in");
  } catch (error) {
    outcomes.push(error instanceof Error ? error.message : String(error));
  }
}
console.log(JSON.stringify({ pid: process.pid, outcomes }));
redis.disconnect();
await nats.close();
await handle.close();
