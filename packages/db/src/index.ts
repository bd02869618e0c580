export type { CreateDbOptions, Db, DbHandle, DbOrTx, Schema, Tx } from "./client";
export { createDb, createMysqlPool } from "./client";
export { readDbEnv } from "./env";
export { MIGRATIONS_FOLDER, migrateDatabase } from "./migrate";
export * as schema from "./schema";
export {
  type CreateSendPoolOptions,
  createSendPool,
  type SendConnection,
  type SendPool,
  SendQueryError,
} from "./send-pool";
