export {
  createTestDatabase,
  requireMariaDb,
  ScatterQueryError,
  ServiceUnavailableError,
  TEST_DATABASE_URL,
  type TestDatabase,
} from "@parley/db/testing";
export { requireNats, requireRedis, TEST_NATS_URL, TEST_REDIS_URL } from "./services";
