import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachmentApiSuite } from "./attachment-api-suite";

attachmentApiSuite("local disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-api-storage-"));
  return {
    env: { STORAGE_DRIVER: "local", STORAGE_LOCAL_DIR: dir },
    holds: async (key: string) => existsSync(join(dir, key)),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
