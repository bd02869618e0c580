import { readDbEnv } from "./env";
import { migrateDatabase } from "./migrate";

const { DATABASE_URL } = readDbEnv();
const started = performance.now();
try {
  await migrateDatabase(DATABASE_URL);
  const where = new URL(DATABASE_URL);
  console.log(`migrated ${where.host}${where.pathname} in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
