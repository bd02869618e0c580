export { analyzeSql, findScatterStatements, type GuardViolation } from "@parley/db/vitess";
export { createTestDatabase, ScatterQueryError, type TestDatabase } from "./database";
export {
  requireMariaDb,
  requireNats,
  requireRedis,
  ServiceUnavailableError,
  TEST_DATABASE_URL,
  TEST_NATS_URL,
  TEST_REDIS_URL,
} from "./services";
