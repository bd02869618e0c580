import { createDb, readDbEnv } from "@parley/db";
import { reindexAllUsersForSearch } from "./search-terms";

/** `bun run search:reindex`: (re)writes every user's people-search terms; safe to run again. */
const { DATABASE_URL } = readDbEnv();
const handle = createDb(DATABASE_URL);
const started = performance.now();
try {
  const users = await reindexAllUsersForSearch(handle.db);
  console.log(`indexed ${users} users for people search in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`search:reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
