export type { CreateDbOptions, Db, DbHandle, DbOrTx, Schema, Tx } from "./client";
export { createDb, createMysqlPool } from "./client";
export { MIGRATIONS_FOLDER, migrateDatabase } from "./migrate";
export * as schema from "./schema";
export {
  type CreateSendPoolOptions,
  createSendPool,
  type SendConnection,
  type SendPool,
  SendQueryError,
} from "./send-pool";
