import { defineConfig } from "drizzle-kit";

// Only `generate` is used (committed SQL + migrate()); never `push` on MariaDB: it emits false diffs.
export default defineConfig({
  dialect: "mysql",
  schema: "./src/schema/index.ts",
  out: "./drizzle",
});
