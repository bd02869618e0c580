export {
  createTestDatabase,
  requireMariaDb,
  ScatterQueryError,
  ServiceUnavailableError,
  TEST_DATABASE_URL,
  type TestDatabase,
} from "@parley/db/testing";
export { analyzeSql, findScatterStatements, type GuardViolation } from "@parley/db/vitess";
export { requireNats, requireRedis, TEST_NATS_URL, TEST_REDIS_URL } from "./services";
