export { requireMariaDb, ServiceUnavailableError, TEST_DATABASE_URL } from "./require-mariadb";
export { createTestDatabase, ScatterQueryError, type TestDatabase } from "./test-database";
